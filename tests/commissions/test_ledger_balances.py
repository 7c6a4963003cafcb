"""GET /api/v1/ledger/balances/: each organisation its own accounts, the sums of their entries."""

from datetime import timedelta

import pytest

from accounts.models import Role
from commissions.ledger import balances, ledger_total
from commissions.models import Account
from commissions.settlement import run_settlement
from tests.commissions.settlement_support import DUE, due_commission, refund
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/ledger/balances/"


def as_dict(response) -> dict[str, str]:
    assert response.status_code == 200
    return {row["account"]: row["balance"] for row in response.json()}


def test_it_shows_each_organisation_only_its_own_accounts(api, member_factory):
    commission = due_commission(amount="100.00")
    run_settlement(as_of=DUE)
    outsider = member_factory(Role.BUYER)

    buyer = api.as_member(UserFactory(organisation=commission.buyer))
    assert as_dict(buyer.get(URL)) == {"buyer_earnings": "18.00"}
    assert api.as_member(outsider).get(URL).json() == []


def test_balances_after_a_clawback_are_the_sums_of_the_entries(api, operator):
    commission = due_commission(amount="100.00")
    run_settlement(as_of=DUE)
    refund(commission, "50.00")
    run_settlement(as_of=DUE + timedelta(days=1))

    merchant = UserFactory(organisation=commission.merchant)
    provider = UserFactory(organisation=commission.provider)
    assert as_dict(api.as_member(merchant).get(URL)) == {"merchant_payable": "-15.00"}
    assert as_dict(api.as_member(provider).get(URL)) == {"provider_fees": "4.50"}
    assert as_dict(api.as_member(operator).get(URL)) == {"platform_revenue": "1.50"}
    assert balances(organisation=commission.merchant) == {"merchant_payable": -15}
    assert ledger_total() == 0


def test_a_pending_provider_reads_its_balances(api, pending_provider):
    assert api.as_member(pending_provider).get(URL).json() == []


def test_balances_are_one_query_however_many_accounts(api, django_assert_max_num_queries):
    commissions = [due_commission() for _ in range(3)]
    run_settlement(as_of=DUE)
    organisation = commissions[0].merchant
    for kind in ("incentives", "payouts", "buyer_earnings"):
        Account.objects.create(organisation=organisation, kind=kind)
    client = api.as_member(UserFactory(organisation=organisation))
    client.get(URL)

    with django_assert_max_num_queries(3):  # the token (with its user), the organisation, sums
        body = as_dict(client.get(URL))

    assert body == {
        "buyer_earnings": "0.00", "incentives": "0.00", "merchant_payable": "-30.00",
        "payouts": "0.00",
    }  # fmt: skip
