"""Deliveries racing each other (real threads, PostgreSQL): one event stored once, one order
row, and the same final state as events applied one by one."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commissions import order_csv
from commissions.models import Order, OrderEvent, OrderLine
from commissions.services.orders import IncomingEvent, record_order_event
from commissions.tasks import run_order_import
from tests.commissions.orders_support import order_csv as csv_text
from tests.commissions.orders_support import order_row
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import ProductFactory

pytestmark = pytest.mark.skipif(
    not uses_postgresql(), reason="row locks need PostgreSQL (bash .ci/run uses it)"
)

PAID = timezone.make_aware(datetime(2026, 3, 1, 10, 0))
LINES = [
    {"sku": "DRESS-1", "quantity": 1, "amount": "100.00", "refunded_amount": "0.00"},
    {"sku": "SCARF-2", "quantity": 1, "amount": "40.00", "refunded_amount": "0.00"},
]


def incoming(event_id: str, kind: str, hours: int, lines=LINES) -> IncomingEvent:
    return IncomingEvent(
        event_id=event_id,
        type=f"order.{kind}",
        occurred_at=PAID + timedelta(hours=hours),
        source="webhook",
        payload={"external_id": "SO-1", "click_id": "", "link_code": "", "lines": lines},
    )


def test_the_same_event_delivered_six_times_at_once_is_stored_once(transactional_db):
    event = incoming("evt-1", "paid", 0)

    outcomes = run_together(*[lambda: record_order_event(event=event).created] * 6)

    assert sorted(outcomes) == [False] * 5 + [True]
    assert OrderEvent.objects.count() == Order.objects.count() == 1
    assert OrderLine.objects.count() == 2


def test_different_events_of_a_new_order_at_once_end_as_if_applied_in_order(transactional_db):
    refunded = [LINES[0], {**LINES[1], "refunded_amount": "40.00"}]
    events = [
        incoming("e-paid", "paid", 0),
        incoming("e-confirmed", "confirmed", 20),
        incoming("e-refunded", "refunded", 30, lines=refunded),
        incoming("e-paid-again", "paid", 0),
    ]

    outcomes = run_together(
        *[lambda event=event: record_order_event(event=event) for event in events]
    )

    assert not [o for o in outcomes if isinstance(o, Exception)]
    order = Order.objects.get()
    assert (order.status, order.paid_at, order.confirmed_at) == (
        "confirmed",
        PAID,
        PAID + timedelta(hours=20),
    )
    assert list(order.lines.values_list("sku", "refunded_amount")) == [
        ("DRESS-1", Decimal("0.00")),
        ("SCARF-2", Decimal("40.00")),
    ]
    assert OrderEvent.objects.count() == 4


def test_the_same_export_imported_four_times_at_once_applies_each_event_once(
    transactional_db, merchant
):
    org = merchant.organisation
    for sku in ("DRESS-1", "SCARF-2"):
        ProductFactory(merchant=org, sku=sku)
    rows = [order_row(f"SO-{n:03d}", sku) for n in range(40) for sku in ("DRESS-1", "SCARF-2")]
    data = csv_text(rows).encode()

    def run_import() -> int:
        return order_csv.import_orders(
            merchant=org, by=merchant, data=data, enqueue=run_order_import.delay
        ).applied_events

    outcomes = run_together(*[run_import] * 4)

    assert sum(outcomes) == 40
    assert OrderEvent.objects.count() == Order.objects.count() == 40
    assert OrderLine.objects.count() == 80
