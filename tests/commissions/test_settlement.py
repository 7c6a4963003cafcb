"""run_settlement: what it posts to the ledger, when, and that a second run changes nothing."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError

from commissions.ledger import balances, ledger_total
from commissions.models import Commission, LedgerTransaction, Order, SettlementRun
from commissions.settlement import candidates, run_settlement, settle_batch
from tests.commissions.settlement_support import (
    DUE,
    PAID,
    SHANGHAI,
    balance,
    cancel,
    current,
    due_commission,
    make_link,
    platform_revenue,
    posted,
    refund,
    second_level_commission,
)

pytestmark = pytest.mark.django_db
D = Decimal


def assert_balances(commission, *, buyer, provider, platform, merchant):
    assert balance(commission.buyer, "buyer_earnings") == D(buyer)
    assert balance(commission.provider, "provider_fees") == D(provider)
    assert platform_revenue() == D(platform)
    assert balance(commission.merchant, "merchant_payable") == D(merchant)
    assert ledger_total() == 0


def test_it_settles_the_worked_example_into_the_ledger():
    commission = due_commission(amount="100.00")

    run = run_settlement(as_of=DUE)

    assert (run.status, run.total, run.processed, run.settled, run.clawbacks, run.voided) == (
        "succeeded", 1, 1, 1, 0, 0,
    )  # fmt: skip
    assert run.finished_at is not None
    assert_balances(commission, buyer="18.00", provider="9.00", platform="3.00", merchant="-30.00")
    commission.refresh_from_db()
    assert commission.status == "settled"
    assert commission.settled_at is not None
    assert posted(commission) == current(commission)
    assert commission.posted_revision == commission.revision
    posting = LedgerTransaction.objects.get(commission=commission)
    assert (posting.kind, posting.reference, posting.settlement_run_id) == (
        "settlement", f"commission:{commission.pk}:r0", run.pk,
    )  # fmt: skip
    assert sorted(posting.entries.values_list("amount", flat=True)) == [
        D("-30.00"), D("3.00"), D("9.00"), D("18.00"),
    ]  # fmt: skip
    assert Order.objects.get(pk=commission.order_id).status == "settled"


def test_it_credits_the_upstream_provider_of_a_second_level_line():
    commission = second_level_commission(amount="100.00", second_level_rate="0.0600")

    run_settlement(as_of=DUE)

    assert balance(commission.buyer, "buyer_earnings") == D("18.00")
    assert balance(commission.provider, "provider_fees") == D("5.40")
    assert balance(commission.upstream_provider, "provider_fees") == D("3.60")
    assert platform_revenue() == D("3.00")
    assert balance(commission.merchant, "merchant_payable") == D("-30.00")
    assert ledger_total() == 0


def test_it_waits_for_the_campaigns_settlement_delay():
    commission = due_commission(link=make_link(delay=15))

    assert run_settlement(as_of=DUE - timedelta(days=1)).settled == 0
    assert Commission.objects.get(pk=commission.pk).status == "estimated"
    assert ledger_total() == 0 and not LedgerTransaction.objects.exists()

    assert run_settlement(as_of=DUE).settled == 1
    assert Commission.objects.get(pk=commission.pk).status == "settled"


def test_it_counts_the_delay_from_the_confirmed_date_in_shanghai():
    late_evening = datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC, same local day
    after_midnight = datetime(2026, 3, 3, 0, 30, tzinfo=SHANGHAI)  # still 2 March in UTC
    evening = due_commission(paid_at=late_evening)
    night = due_commission(paid_at=after_midnight)

    run_settlement(as_of=DUE)

    assert Commission.objects.get(pk=evening.pk).status == "settled"
    assert Commission.objects.get(pk=night.pk).status == "estimated"
    assert run_settlement(as_of=DUE + timedelta(days=1)).settled == 1


def test_each_campaign_has_its_own_delay():
    quick = due_commission(link=make_link(delay=0))
    slow = due_commission(link=make_link(delay=30))

    run = run_settlement(as_of=PAID.date())

    assert run.settled == 1
    assert Commission.objects.get(pk=quick.pk).status == "settled"
    assert Commission.objects.get(pk=slow.pk).status == "estimated"


@pytest.mark.parametrize("order_status", ["paid", "cancelled"])
def test_it_does_not_settle_orders_that_are_not_confirmed(order_status):
    commission = due_commission(status=order_status)
    if order_status == "cancelled":  # confirmed, then cancelled before settlement
        Order.objects.filter(pk=commission.order_id).update(confirmed_at=PAID)

    run = run_settlement(as_of=DUE + timedelta(days=365))

    assert (run.total, run.settled) == (0, 0)
    assert Commission.objects.get(pk=commission.pk).status == "estimated"
    assert not LedgerTransaction.objects.exists()


def test_it_settles_a_confirmed_order_refunded_in_part_and_keeps_its_status():
    commission = refund(due_commission(amount="100.00"), "50.00")
    Order.objects.filter(pk=commission.order_id).update(status="refunded")

    run_settlement(as_of=DUE)

    assert_balances(commission, buyer="9.00", provider="4.50", platform="1.50", merchant="-15.00")
    assert Order.objects.get(pk=commission.order_id).status == "refunded"


def test_void_commissions_are_not_posted():
    due_commission(commission_status="void")

    run = run_settlement(as_of=DUE)

    assert (run.total, run.settled, run.voided) == (0, 0, 0)
    assert not LedgerTransaction.objects.exists()


def test_a_due_line_with_nothing_left_to_pay_is_voided_not_posted():
    commission = due_commission(amount="0.04")  # 20 % of 0.04 rounds to 0.01, so refund it all
    commission = refund(commission, "0.04")
    Commission.objects.filter(pk=commission.pk).update(status="settleable")

    run = run_settlement(as_of=DUE)

    assert (run.settled, run.voided) == (0, 1)
    commission.refresh_from_db()
    assert commission.status == "void"
    assert commission.void_reason
    assert commission.settled_at is None
    assert not LedgerTransaction.objects.exists()
    assert Order.objects.get(pk=commission.order_id).status == "settled"


def test_settling_twice_changes_nothing():
    commission = due_commission()
    run_settlement(as_of=DUE)
    before = list(LedgerTransaction.objects.values_list("reference", flat=True))
    settled_at = Commission.objects.get(pk=commission.pk).settled_at

    again = run_settlement(as_of=DUE + timedelta(days=3))

    assert (again.total, again.processed, again.settled, again.clawbacks) == (0, 0, 0, 0)
    assert list(LedgerTransaction.objects.values_list("reference", flat=True)) == before
    assert Commission.objects.get(pk=commission.pk).settled_at == settled_at
    assert_balances(commission, buyer="18.00", provider="9.00", platform="3.00", merchant="-30.00")


def test_a_refund_after_settlement_is_clawed_back_in_the_next_run():
    commission = due_commission(amount="100.00")
    run_settlement(as_of=DUE)
    refund(commission, "50.00")

    run = run_settlement(as_of=DUE + timedelta(days=1))

    assert (run.settled, run.clawbacks) == (0, 1)
    clawback = LedgerTransaction.objects.get(kind="clawback")
    assert clawback.reference == f"commission:{commission.pk}:r1"
    own = {entry.account.kind: entry.amount for entry in clawback.entries.select_related("account")}
    assert own == {
        "buyer_earnings": D("-9.00"), "provider_fees": D("-4.50"),
        "platform_revenue": D("-1.50"), "merchant_payable": D("15.00"),
    }  # fmt: skip
    assert_balances(commission, buyer="9.00", provider="4.50", platform="1.50", merchant="-15.00")
    assert posted(commission) == current(commission)
    assert Commission.objects.get(pk=commission.pk).status == "settled"
    assert run_settlement(as_of=DUE + timedelta(days=2)).clawbacks == 0


@pytest.mark.parametrize("status_void", [False, True], ids=["stays-settled", "set-void"])
def test_a_cancellation_after_settlement_reverses_everything(status_void):
    commission = due_commission(amount="100.00")
    run_settlement(as_of=DUE)
    cancel(commission, status_void=status_void)

    run = run_settlement(as_of=DUE + timedelta(days=1))

    assert run.clawbacks == 1
    assert_balances(commission, buyer="0.00", provider="0.00", platform="0.00", merchant="0.00")
    commission.refresh_from_db()
    assert commission.status == ("void" if status_void else "settled")
    assert commission.posted_merchant_pays == 0
    assert Order.objects.get(pk=commission.order_id).status == "cancelled"
    assert run_settlement(as_of=DUE + timedelta(days=2)).clawbacks == 0


def test_an_order_settles_once_all_its_lines_are_settled():
    first = due_commission(link=make_link(delay=15))
    order = first.order
    other = make_link(delay=20)
    line = order.lines.create(
        position=2, sku=other.enrollment.product.sku, quantity=1, amount=D("50.00"), link=other,
        product=other.enrollment.product, attributed_at=PAID,
    )  # fmt: skip
    from tests.factories import commission_for

    second = commission_for(line)

    run_settlement(as_of=DUE)
    assert Order.objects.get(pk=order.pk).status == "confirmed"

    run_settlement(as_of=DUE + timedelta(days=5))
    assert Order.objects.get(pk=order.pk).status == "settled"
    assert {c.status for c in Commission.objects.filter(pk__in=[first.pk, second.pk])} == {
        "settled"
    }


def test_balances_equal_the_sum_of_entries_and_the_ledger_sums_to_zero():
    commissions = [due_commission(amount=amount) for amount in ("100.00", "33.33", "0.07")]
    second = second_level_commission(amount="59.90")
    run_settlement(as_of=DUE)
    refund(commissions[0], "50.00")
    run_settlement(as_of=DUE)

    for commission in [*commissions, second]:
        for organisation, kind in (
            (commission.buyer, "buyer_earnings"),
            (commission.provider, "provider_fees"),
            (commission.merchant, "merchant_payable"),
        ):
            assert balances(organisation=organisation)[kind] == balance(organisation, kind)
    assert balances(organisation=None)["platform_revenue"] == platform_revenue()
    assert ledger_total() == 0


def test_small_batches_settle_everything_and_report_progress():
    for _ in range(7):
        due_commission()

    run = run_settlement(as_of=DUE, batch_size=3)

    assert (run.total, run.processed, run.settled, run.percent) == (7, 7, 7, 100)
    assert LedgerTransaction.objects.filter(settlement_run=run).count() == 7
    assert ledger_total() == 0


def test_it_continues_a_run_created_beforehand_by_the_operator(operator):
    due_commission()
    run = SettlementRun.objects.create(as_of=DUE, requested_by=operator)

    finished = run_settlement(as_of=DUE, run=run, by=operator)

    assert finished.pk == run.pk
    assert (finished.status, finished.settled) == ("succeeded", 1)
    assert LedgerTransaction.objects.get().created_by == operator


def test_a_posting_that_exists_already_fails_the_run_and_changes_nothing():
    commission = due_commission()
    LedgerTransaction.objects.create(
        kind="settlement", reference=f"commission:{commission.pk}:r0", posted_at=PAID
    )

    with pytest.raises(IntegrityError):
        run_settlement(as_of=DUE)

    run = SettlementRun.objects.get()
    assert run.status == "failed" and run.error
    assert Commission.objects.get(pk=commission.pk).status == "estimated"
    assert ledger_total() == 0


def lines_on_new_links(count: int, links: int = 5) -> None:
    made = [make_link() for _ in range(links)]
    for index in range(count):
        due_commission(link=made[index % links])


@pytest.mark.parametrize("lines", [5, 50])
def test_a_batch_takes_the_same_few_statements_for_5_or_50_lines(
    lines, django_assert_max_num_queries
):
    """Savepoint, lock, accounts (fetch, insert the missing, refetch), transactions, entries,
    commissions, orders, progress, release: 11, whatever the number of lines."""
    lines_on_new_links(lines)
    run = SettlementRun.objects.create(as_of=DUE)
    pending = candidates(DUE)

    with django_assert_max_num_queries(11) as captured:
        batch = settle_batch(pending, run=run, after=0, size=50, by=None)

    assert batch.processed == lines and batch.outcomes["settled"] == lines
    assert len(captured) == 11
    assert LedgerTransaction.objects.count() == lines
