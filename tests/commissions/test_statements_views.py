"""The portal's Statements page."""

import pytest

from tests.commissions.statements_support import at, claw_back, sale, settle

pytestmark = pytest.mark.django_db
PAGE = "/statements/"


@pytest.fixture
def settled(merchant, buyer, provider):
    parties = {
        "merchant": merchant.organisation,
        "buyer": buyer.organisation,
        "provider": provider.organisation,
    }
    first, second = sale(**parties), sale(**parties, amount="150.00")
    settle(first, at(2026, 10, 3))
    settle(second, at(2026, 10, 31, 23, 30))
    claw_back(second, refund="50.00", when=at(2026, 10, 31, 23, 45))
    return first, second


def test_a_member_sees_its_month_with_totals_and_a_csv_link(client, buyer, settled):
    client.force_login(buyer)

    page = client.get(PAGE, {"month": "2026-10"}).content.decode()

    assert f"Statement of {buyer.organisation.name}, 2026-10" in page
    assert settled[0].order.external_id in page and settled[1].order.external_id in page
    assert "45.00" in page  # lines: 18.00 + 27.00
    assert "-9.00" in page  # the clawback
    assert "36.00" in page  # closing balance
    assert 'value="2026-10"' in page  # the month picker
    assert "/api/v1/statements/?month=2026-10&amp;format=csv" in page


def test_the_statements_page_is_in_the_members_navigation(client, merchant):
    client.force_login(merchant)

    assert 'href="/statements/"' in client.get("/").content.decode()


def test_an_empty_month_says_so(client, buyer):
    client.force_login(buyer)

    page = client.get(PAGE, {"month": "2020-01"}).content.decode()

    assert "Nothing was posted to these accounts this month." in page


def test_a_bad_month_shows_a_message_and_last_month(client, buyer):
    client.force_login(buyer)

    response = client.get(PAGE, {"month": "soon"})

    assert response.status_code == 200
    assert "Give the month as YYYY-MM, for example 2026-10." in response.content.decode()


def test_another_organisations_statement_is_not_found(client, buyer, merchant, settled):
    client.force_login(buyer)

    assert client.get(PAGE, {"organisation": merchant.organisation_id}).status_code == 404


def test_an_operator_opens_an_organisations_statement(client, operator, merchant, settled):
    client.force_login(operator)

    page = client.get(PAGE, {"organisation": merchant.organisation_id, "month": "2026-10"})
    without = client.get(PAGE)

    assert page.status_code == 200
    assert "-60.00" in page.content.decode()  # -30.00 - 45.00 + 15.00
    assert f"organisation={merchant.organisation_id}" in page.content.decode()  # the CSV link
    assert without.status_code == 302 and without["Location"] == "/operator/payouts/"


def test_the_statements_page_is_bounded(
    client, buyer, merchant, provider, django_assert_max_num_queries
):
    parties = {
        "merchant": merchant.organisation,
        "buyer": buyer.organisation,
        "provider": provider.organisation,
    }
    for day in range(1, 26):
        settle(sale(**parties), at(2026, 10, day))
    client.force_login(buyer)

    with django_assert_max_num_queries(10):
        response = client.get(PAGE, {"month": "2026-10"})

    assert response.content.decode().count("<tr>") >= 25
