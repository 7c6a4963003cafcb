"""The Commissions page: each role's lines, estimated beside settled, totals per status."""

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.models import Role
from tests.commissions.commissions_support import (
    PAID,
    approved_enrollment,
    link_of,
    refund,
    sale,
    settle,
)

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/commissions/"


@pytest.fixture
def parties(member_factory):
    merchant, buyer, provider = (
        member_factory(Role.MERCHANT), member_factory(Role.BUYER), member_factory(Role.PROVIDER)
    )  # fmt: skip
    enrollment = approved_enrollment(merchant=merchant.organisation, provider=provider.organisation)
    link = link_of(enrollment, buyer=buyer.organisation)
    return {"merchant": merchant, "buyer": buyer, "provider": provider, "link": link}


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def test_each_role_sees_its_share_estimated_beside_settled(client, parties):
    refund(settle(sale(parties["link"])), "40.00")  # settled 100.00, then 40.00 refunded
    sale(parties["link"], paid_at=PAID + timedelta(days=1))  # estimated

    expected = {"merchant": ("30.00", "18.00"), "buyer": ("18.00", "10.80"),
                "provider": ("9.00", "5.40")}  # fmt: skip
    for role, figures in expected.items():
        full, after_refund = (D(figure) for figure in figures)
        response = page(client, parties[role])
        totals = response.context["totals"]
        assert (totals["estimated"], totals["settled"]) == (full, full), role
        assert totals["adjustments"] == after_refund - full, role
        assert (totals["estimated_lines"], totals["settled_lines"]) == (1, 1)
        rows = [(row.share, row.posted_share) for row in response.context["page"]]
        assert rows == [(full, D("0.00")), (after_refund, full)], role


def test_the_page_shows_the_figures_and_the_void_reason(client, parties):
    settle(sale(parties["link"]))
    refund(sale(parties["link"], paid_at=PAID + timedelta(days=1)), "100.00")

    html = page(client, parties["buyer"]).content.decode()

    assert "You earn" in html
    assert "¥18.00" in html  # the settled total
    assert "The line was fully refunded." in html
    assert "Commissions" in html and 'href="/commissions/"' in html  # in the navigation


def test_filters_by_status_and_date_range(client, parties):
    link = parties["link"]
    early = sale(link, paid_at=PAID - timedelta(days=10))
    void = refund(sale(link), "100.00")

    def ids(**params):
        return [row.pk for row in page(client, parties["merchant"], **params).context["page"]]

    assert ids(status="void") == [void.pk]
    assert ids(**{"from": "2026-02-01", "to": "2026-02-28"}) == [early.pk]
    totals = page(client, parties["merchant"], status="estimated").context["totals"]
    assert (totals["lines"], totals["estimated"]) == (1, 30)


def test_a_backwards_range_says_so(client, parties):
    sale(parties["link"])

    response = page(client, parties["merchant"], **{"from": "2026-03-05", "to": "2026-03-01"})

    assert "The range starts after it ends." in response.content.decode()
    assert list(response.context["page"]) == []


def test_htmx_gets_only_the_results(client, parties):
    sale(parties["link"])
    client.force_login(parties["merchant"])

    response = client.get(URL, {"status": "estimated"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html and "30.00" in html


def test_another_organisation_sees_none_of_it(client, parties, member_factory):
    sale(parties["link"])

    for role in (Role.MERCHANT, Role.BUYER, Role.PROVIDER):
        response = page(client, member_factory(role))
        assert list(response.context["page"]) == []
        assert response.context["totals"]["lines"] == 0


def test_operators_are_refused_and_visitors_sent_to_sign_in(client, operator):
    assert client.get(URL).status_code == 302
    client.force_login(operator)
    assert client.get(URL).status_code == 403


def test_pages_of_fifty_in_a_bounded_number_of_queries(
    client, parties, django_assert_max_num_queries
):
    for day in range(55):
        sale(parties["link"], paid_at=PAID + timedelta(hours=day))
    client.force_login(parties["provider"])
    client.get(URL)

    with django_assert_max_num_queries(12):
        first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 5
    assert first.context["totals"]["estimated"] == 55 * 9
