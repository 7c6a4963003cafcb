"""Payouts and incentives racing each other (real threads, PostgreSQL)."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Role
from commissions import ledger
from commissions.models import IncentivePayment, IncentiveProgramme, LedgerTransaction
from commissions.services.incentives import pay_incentives
from commissions.services.payouts import record_payment
from core.errors import DomainError
from tests.commissions.statements_support import at, sale, settle
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import OperatorFactory, OrganisationFactory

pytestmark = pytest.mark.skipif(
    not uses_postgresql(), reason="row locks need PostgreSQL (bash .ci/run uses it)"
)


@pytest.fixture
def owed_buyer(transactional_db):
    """A buyer owed 18.00, and the provider of its sale owed 9.00."""
    buyer = OrganisationFactory(role=Role.BUYER)
    provider = OrganisationFactory(role=Role.PROVIDER)
    commission = sale(
        merchant=OrganisationFactory(role=Role.MERCHANT), buyer=buyer, provider=provider
    )
    settle(commission, at(2026, 10, 3))
    return buyer


def paying(buyer, amount: str, key: str, by):
    return lambda: record_payment(
        organisation_id=buyer.pk, kind="payout", amount=Decimal(amount), key=key, by=by
    )


def test_two_operators_paying_at_once_never_pay_more_than_is_owed(owed_buyer):
    first, second = OperatorFactory(), OperatorFactory()

    outcomes = run_together(
        paying(owed_buyer, "12.00", "a", first), paying(owed_buyer, "12.00", "b", second)
    )

    refused = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    assert len(refused) == 1 and refused[0].field == "amount"
    assert ledger.balances(organisation=owed_buyer)["buyer_earnings"] == Decimal("6.00")
    assert ledger.ledger_total() == 0


def test_a_double_submit_at_once_pays_once(owed_buyer):
    operator = OperatorFactory()

    outcomes = run_together(*[paying(owed_buyer, "10.00", "same", operator) for _ in range(2)])

    assert sorted(outcome.created for outcome in outcomes) == [False, True]
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    assert ledger.balances(organisation=owed_buyer)["buyer_earnings"] == Decimal("8.00")


def test_two_incentive_runs_at_once_pay_once(owed_buyer):
    programme = IncentiveProgramme.objects.create(
        name="Push", kind="cash", starts_on=date(2026, 1, 1)
    )
    programme.tiers.create(min_gmv=Decimal("50.00"), reward=Decimal("88.00"))

    run_together(*[lambda: pay_incentives(month=date(2026, 10, 1)) for _ in range(3)])

    assert IncentivePayment.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind="incentive").count() == 1
    assert ledger.ledger_total() == 0
