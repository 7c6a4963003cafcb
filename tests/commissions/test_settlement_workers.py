"""Two settlement workers at once on the same lines (real threads and row locks, PostgreSQL):
every line is settled exactly once and the ledger still sums to zero."""

from decimal import Decimal

import pytest
from django.db.models import Count

from commissions.ledger import ledger_total
from commissions.models import Commission, LedgerTransaction, Order
from commissions.settlement import run_settlement
from tests.commissions.settlement_support import DUE, PAID, due_commission, make_link
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import commission_for

pytestmark = pytest.mark.skipif(
    not uses_postgresql(),
    reason="SELECT ... FOR UPDATE SKIP LOCKED needs PostgreSQL (bash .ci/run uses it)",
)
WORKERS = 2
ORDERS = 40


def orders_of_two_lines() -> list[Commission]:
    """ORDERS orders of two lines each: the second line on another link and campaign."""
    links = [make_link() for _ in range(4)]
    commissions = []
    for index in range(ORDERS):
        first = due_commission(link=links[index % 4])
        other = links[(index + 1) % 4]
        line = first.order.lines.create(
            position=2, sku=other.enrollment.product.sku, quantity=1, amount=Decimal("50.00"),
            link=other, product=other.enrollment.product, attributed_at=PAID,
        )  # fmt: skip
        commissions += [first, commission_for(line)]
    return commissions


def test_two_workers_settle_every_line_exactly_once(transactional_db):
    commissions = orders_of_two_lines()

    runs = run_together(*[lambda: run_settlement(as_of=DUE, batch_size=7)] * WORKERS, timeout=120)

    errors = [run for run in runs if isinstance(run, Exception)]
    assert errors == []
    assert sum(run.settled for run in runs) == len(commissions)
    per_line = LedgerTransaction.objects.values("commission").annotate(n=Count("id"))
    assert {row["n"] for row in per_line} == {1}
    assert per_line.count() == len(commissions)
    assert set(Commission.objects.values_list("status", flat=True)) == {"settled"}
    assert set(Order.objects.values_list("status", flat=True)) == {"settled"}
    assert ledger_total() == 0
    assert run_settlement(as_of=DUE).processed == 0
