"""Property: over random lines and random sequences of settlement runs, refunds and
cancellations, the ledger always sums to zero, balances equal their entries, and after a
final run every party's balance is exactly what its lines' current split says."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commissions.ledger import balances, ledger_total
from commissions.models import Commission, LedgerEntry
from commissions.settlement import run_settlement
from core.money import money
from tests.commissions.settlement_support import (
    DUE,
    FIGURES,
    cancel,
    current,
    due_commission,
    make_link,
    posted,
    refund,
)

pytestmark = pytest.mark.django_db
RATES = [("0.2000", "0.1000"), ("0.0500", "0.0300"), ("0.3500", "0.2000"), ("0.8000", "0.1000")]


LINES = st.lists(
    st.tuples(st.integers(1, 200_000), st.integers(0, len(RATES) - 1)),
    min_size=1,
    max_size=3,
)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("settle"), st.integers(-1, 2)),
        st.tuples(st.just("refund"), st.integers(0, 2), st.integers(1, 100)),
        st.tuples(st.just("cancel"), st.integers(0, 2)),
    ),
    max_size=6,
)


def apply(step: tuple, commissions: list[Commission]) -> None:
    if step[0] == "settle":
        run_settlement(as_of=DUE + timedelta(days=step[1]), batch_size=2)
        return
    commission = commissions[step[1] % len(commissions)]
    commission.refresh_from_db()
    if commission.status == "void" or commission.order.status == "cancelled":
        return
    if step[0] == "cancel":
        cancel(commission, status_void=commission.status != "settled")
        return
    line = commission.line
    amount = money((line.amount - line.refunded_amount) * step[2] / 100)
    if amount > 0:
        refund(commission, str(amount))


def assert_ledger_consistent() -> None:
    assert ledger_total() == 0
    sums = defaultdict(Decimal)
    for organisation, kind, amount in LedgerEntry.objects.values_list(
        "account__organisation", "account__kind", "amount"
    ):
        sums[(organisation, kind)] += Decimal(amount)
    for (organisation, kind), total in sums.items():
        assert balances(organisation=organisation_or_none(organisation))[kind] == money(total)


def organisation_or_none(pk):
    from accounts.models import Organisation

    return None if pk is None else Organisation.objects.get(pk=pk)


def assert_parties_hold_the_current_split(commissions: list[Commission]) -> None:
    for commission in commissions:
        commission.refresh_from_db()
        if commission.status == "void":
            assert set(posted(commission).values()) == {Decimal("0.00")}
            expected = dict.fromkeys(FIGURES, Decimal("0.00"))
        else:
            assert commission.status == "settled"
            assert posted(commission) == current(commission)
            expected = current(commission)
        own = balances(organisation=commission.buyer).get("buyer_earnings", Decimal("0.00"))
        assert own == expected["buyer_net"]
        fees = balances(organisation=commission.provider).get("provider_fees", Decimal("0.00"))
        assert fees == expected["provider_net"]
        owed = balances(organisation=commission.merchant).get("merchant_payable", Decimal("0"))
        assert owed == -expected["merchant_pays"]
    platform = balances(organisation=None).get("platform_revenue", Decimal("0.00"))
    assert platform == sum(
        (Commission.objects.get(pk=c.pk).posted_platform_fee for c in commissions), Decimal(0)
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=LINES, steps=STEPS)
def test_settle_refund_settle_keeps_the_ledger_exact(lines, steps):
    with transaction.atomic():
        commissions = []
        for fen, rates in lines:
            commission_rate, fee_rate = RATES[rates]
            link = make_link(commission_rate=commission_rate, service_fee_rate=fee_rate)
            commissions.append(due_commission(link=link, amount=str(Decimal(fen) / 100)))
        for step in steps:
            apply(step, commissions)
            assert_ledger_consistent()

        run_settlement(as_of=DUE + timedelta(days=3))
        assert_ledger_consistent()
        assert_parties_hold_the_current_split(commissions)
        entries = LedgerEntry.objects.count()
        assert run_settlement(as_of=DUE + timedelta(days=4)).processed == 0
        assert LedgerEntry.objects.count() == entries
        transaction.set_rollback(True)
