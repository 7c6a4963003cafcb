"""The operators' Payouts page: balances owed, a pay form per row, double submits."""

import re
from decimal import Decimal

import pytest

from commissions import ledger
from commissions.models import LedgerTransaction
from tests.commissions.statements_support import at, sale, settle

pytestmark = pytest.mark.django_db
PAGE = "/operator/payouts/"


@pytest.fixture
def owed(merchant, buyer, provider):
    parties = {
        "merchant": merchant.organisation,
        "buyer": buyer.organisation,
        "provider": provider.organisation,
    }
    settle(sale(**parties), at(2026, 10, 3))


def form_key(page: str, organisation_id: int) -> str:
    row = re.search(
        rf'name="organisation" value="{organisation_id}">\s*'
        r'<input type="hidden" name="kind" value="(\w+)">\s*'
        r'<input type="hidden" name="key" value="(\w+)">',
        page,
    )
    assert row, "no pay form for the organisation"
    return row.group(1), row.group(2)


def test_the_page_lists_what_each_organisation_is_owed(
    client, operator, merchant, buyer, provider, owed
):
    client.force_login(operator)

    page = client.get(PAGE).content.decode()

    assert "is owed 18.00" in page and "is owed 9.00" in page and "owes 30.00" in page
    assert form_key(page, buyer.organisation_id)[0] == "payout"
    assert form_key(page, merchant.organisation_id)[0] == "collection"
    assert f"/statements/?organisation={buyer.organisation_id}" in page


def test_paying_from_the_page_posts_a_payout(client, operator, buyer, owed):
    client.force_login(operator)
    kind, key = form_key(client.get(PAGE).content.decode(), buyer.organisation_id)

    response = client.post(
        PAGE,
        {"organisation": buyer.organisation_id, "kind": kind, "key": key, "amount": "18.00"},
        follow=True,
    )

    assert f"Payout to {buyer.organisation.name}" in response.content.decode()
    assert ledger.balances(organisation=buyer.organisation)["buyer_earnings"] == Decimal("0.00")


def test_a_form_sent_twice_pays_once(client, operator, buyer, owed):
    client.force_login(operator)
    kind, key = form_key(client.get(PAGE).content.decode(), buyer.organisation_id)
    data = {"organisation": buyer.organisation_id, "kind": kind, "key": key, "amount": "10.00"}

    client.post(PAGE, data)
    again = client.post(PAGE, data, HTTP_HX_REQUEST="true")

    assert "This payment was recorded already; nothing more was paid." in again.content.decode()
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    assert ledger.balances(organisation=buyer.organisation)["buyer_earnings"] == Decimal("8.00")


def test_too_much_shows_the_error_on_the_row(client, operator, buyer, owed):
    client.force_login(operator)
    kind, key = form_key(client.get(PAGE).content.decode(), buyer.organisation_id)

    response = client.post(
        PAGE,
        {"organisation": buyer.organisation_id, "kind": kind, "key": key, "amount": "50.00"},
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert '<div id="payouts">' in page and "<html" not in page  # the htmx partial
    assert f"The amount is more than the 18.00 owed to {buyer.organisation.name}." in page
    assert 'value="50.00"' in page
    assert not LedgerTransaction.objects.filter(kind="payout").exists()


def test_a_merchant_payment_from_the_page(client, operator, merchant, owed):
    client.force_login(operator)
    kind, key = form_key(client.get(PAGE).content.decode(), merchant.organisation_id)

    client.post(
        PAGE,
        {"organisation": merchant.organisation_id, "kind": kind, "key": key, "amount": "30.00"},
    )

    assert ledger.balances(organisation=merchant.organisation)["merchant_payable"] == Decimal(
        "0.00"
    )
    assert LedgerTransaction.objects.filter(kind="collection").count() == 1


def test_members_cannot_open_the_payouts_page(client, buyer, provider):
    for member in (buyer, provider):
        client.force_login(member)
        assert client.get(PAGE).status_code == 403
        assert (
            client.post(
                PAGE, {"organisation": member.organisation_id, "amount": "1.00"}
            ).status_code
            == 403
        )


def test_the_payouts_page_is_in_the_operators_navigation(client, operator):
    client.force_login(operator)

    assert f'href="{PAGE}"' in client.get("/").content.decode()


def test_the_payouts_page_is_bounded(
    client, operator, member_factory, merchant, provider, django_assert_max_num_queries
):
    for _ in range(20):
        member = member_factory("buyer")
        settle(
            sale(
                merchant=merchant.organisation,
                buyer=member.organisation,
                provider=provider.organisation,
            ),
            at(2026, 10, 3),
        )
    ledger.post(
        kind="payout", reference="payout:x", entries=[
            (ledger.account_for(member.organisation, "buyer_earnings"), Decimal("-1.00")),
            (ledger.account_for(None, "payouts"), Decimal("1.00")),
        ],
    )  # fmt: skip
    client.force_login(operator)

    with django_assert_max_num_queries(6):
        page = client.get(PAGE).content.decode()

    assert page.count("is owed 18.00") == 19 and "is owed 17.00" in page
