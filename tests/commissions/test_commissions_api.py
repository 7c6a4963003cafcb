"""GET /api/v1/commissions/: each party sees its own lines, estimated and settled side by side."""

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.models import Role
from commissions.api.commission_serializers import line_commission
from commissions.models import OrderLine
from tests.commissions.commissions_support import (
    PAID,
    approved_enrollment,
    link_of,
    refund,
    sale,
    second_level,
    settle,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/commissions/"


@pytest.fixture
def parties(member_factory):
    """The merchant, buyer and provider of one enrollment, each with a member."""
    merchant, buyer, provider = (
        member_factory(Role.MERCHANT), member_factory(Role.BUYER), member_factory(Role.PROVIDER)
    )  # fmt: skip
    enrollment = approved_enrollment(merchant=merchant.organisation, provider=provider.organisation)
    link = link_of(enrollment, buyer=buyer.organisation)
    return {"merchant": merchant, "buyer": buyer, "provider": provider, "link": link}


def listing(api, user, **params):
    response = api.as_member(user).get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_worked_example_through_the_api(api, parties):
    commission = sale(parties["link"])

    body = listing(api, parties["merchant"])

    assert body["count"] == 1
    assert body["results"][0] == {
        "id": commission.pk,
        "order": commission.order_id,
        "sku": parties["link"].enrollment.product.sku,
        "buyer": parties["buyer"].organisation_id,
        "provider": parties["provider"].organisation_id,
        "upstream_provider": None,
        "status": "estimated",
        "base_amount": "100.00",
        "commission_rate": "0.2000",
        "service_fee_rate": "0.1000",
        "upstream_fee_rate": None,
        "platform_rate": "0.1000",
        "buyer_gross": "20.00",
        "buyer_net": "18.00",
        "provider_gross": "10.00",
        "provider_net": "9.00",
        "upstream_gross": "0.00",
        "upstream_net": "0.00",
        "platform_fee": "3.00",
        "merchant_pays": "30.00",
        "earned_at": "2026-03-02T10:00:00+08:00",
        "settled_at": None,
        "void_reason": "",
        "revision": 0,
        "settled": None,
    }


def test_settled_figures_are_shown_beside_the_current_ones_never_mixed(api, parties):
    commission = refund(settle(sale(parties["link"])), "40.00")

    [row] = listing(api, parties["buyer"])["results"]

    assert row["status"] == "settled"
    assert (row["buyer_net"], row["merchant_pays"], row["revision"]) == ("10.80", "18.00", 1)
    assert row["settled"] == {
        "buyer_net": "18.00",
        "provider_net": "9.00",
        "upstream_net": "0.00",
        "platform_fee": "3.00",
        "merchant_pays": "30.00",
        "revision": 0,
        "settled_at": row["settled_at"],
    }
    assert row["settled_at"] is not None
    assert commission.posted_merchant_pays == Decimal("30.00")


def test_a_void_line_says_why(api, parties):
    refund(sale(parties["link"]), "100.00")

    [row] = listing(api, parties["provider"])["results"]

    assert (row["status"], row["void_reason"]) == ("void", "The line was fully refunded.")
    assert row["merchant_pays"] == "0.00"


def test_every_party_sees_its_lines_and_only_those(api, parties, member_factory):
    mine = sale(parties["link"])
    other = sale(link_of(approved_enrollment()))  # another merchant, buyer and provider
    outsiders = [member_factory(role) for role in (Role.MERCHANT, Role.BUYER, Role.PROVIDER)]

    for role in ("merchant", "buyer", "provider"):
        user = parties[role]
        assert [row["id"] for row in listing(api, user)["results"]] == [mine.pk], role
        assert api.as_member(user).get(f"{URL}{other.pk}/").status_code == 404
        assert api.as_member(user).get(f"{URL}{mine.pk}/").json()["merchant_pays"] == "30.00"
    for user in outsiders:
        assert listing(api, user)["count"] == 0
        assert api.as_member(user).get(f"{URL}{mine.pk}/").status_code == 404


def test_both_providers_of_a_second_level_see_the_line(api, member_factory):
    first_provider, second_provider = member_factory(Role.PROVIDER), member_factory(Role.PROVIDER)
    first = approved_enrollment(provider=first_provider.organisation)
    second = second_level(first, provider=second_provider.organisation, rate="0.0600")
    commission = sale(link_of(second))

    for user in (first_provider, second_provider):
        [row] = listing(api, user)["results"]
        assert row["id"] == commission.pk
        assert (row["provider_net"], row["upstream_net"]) == ("5.40", "3.60")
        assert (row["service_fee_rate"], row["upstream_fee_rate"]) == ("0.0600", "0.0400")
        assert row["upstream_provider"] == first_provider.organisation_id


def test_filters_by_status_order_and_date_range(api, parties):
    link = parties["link"]
    early = sale(link, paid_at=PAID - timedelta(days=10))
    late = sale(link)
    void = refund(sale(link, paid_at=PAID + timedelta(days=1)), "100.00")
    merchant = parties["merchant"]

    def ids(**params):
        return [row["id"] for row in listing(api, merchant, **params)["results"]]

    assert ids() == [void.pk, late.pk, early.pk]
    assert ids(status="void") == [void.pk]
    assert ids(order=early.order_id) == [early.pk]
    assert ids(**{"from": "2026-03-02", "to": "2026-03-02"}) == [late.pk]
    assert ids(**{"from": "2026-02-20"}) == [void.pk, late.pk, early.pk]
    assert ids(to="2026-03-01") == [early.pk]


def test_a_range_that_ends_before_it_starts_is_refused(api, parties):
    response = api.as_member(parties["buyer"]).get(URL, {"from": "2026-03-05", "to": "2026-03-01"})

    assert response.status_code == 400
    assert response.json() == {"from": ["The range starts after it ends."]}


def test_an_unknown_status_is_refused(api, parties):
    response = api.as_member(parties["buyer"]).get(URL, {"status": "paid"})

    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_operators_are_refused_and_nobody_writes(api, operator, parties, pending_provider):
    commission = sale(parties["link"])

    assert api.as_member(operator).get(URL).status_code == 403
    assert api.as_member(pending_provider).get(URL).json()["count"] == 0
    assert api.as_member(pending_provider).post(URL, {}).status_code == 403
    merchant = api.as_member(parties["merchant"])
    assert merchant.post(URL, {}).status_code == 405
    assert merchant.patch(f"{URL}{commission.pk}/", {"status": "settled"}).status_code == 405
    assert merchant.delete(f"{URL}{commission.pk}/").status_code == 405


def test_the_list_takes_a_bounded_number_of_queries(api, parties, django_assert_max_num_queries):
    for _ in range(3):
        sale(parties["link"])
    client = api.as_member(parties["merchant"])
    client.get(URL)  # warm up the token and session machinery
    with django_assert_max_num_queries(4) as few:
        client.get(URL)
    for _ in range(12):
        sale(parties["link"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).json()["count"] == 15


def test_line_commission_summarises_a_lines_commission_for_the_orders_api(
    parties, django_assert_num_queries
):
    commission = refund(sale(parties["link"]), "40.00")
    OrderLine.objects.create(
        order=commission.order, position=2, sku="X", quantity=1, amount=Decimal("9.00")
    )
    lines = list(OrderLine.objects.filter(order=commission.order).select_related("commission"))

    with django_assert_num_queries(0):
        summaries = [line_commission(line) for line in lines]

    assert summaries == [
        {
            "id": commission.pk,
            "status": "estimated",
            "base_amount": "60.00",
            "buyer_net": "10.80",
            "provider_net": "5.40",
            "upstream_net": "0.00",
            "platform_fee": "1.80",
            "merchant_pays": "18.00",
            "void_reason": "",
        },
        None,
    ]


@pytest.mark.parametrize(
    "query, field",
    [("to=9999-12-31", "to"), ("from=0001-01-01", "from"), ("order=1e400", "order")],
)
def test_commission_filters_out_of_range_are_400(api, merchant, query, field):
    response = api.as_member(merchant).get(f"/api/v1/commissions/?{query}")

    assert response.status_code == 400
    assert field in response.json()
