"""Webhook events: bodies checked, replays harmless, events applied in a consistent order
whatever order they arrive in."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from commissions.models import Order, OrderEvent, OrderLine
from commissions.services import orders as order_services
from tests.commissions.orders_support import line, post_signed, promoted_link, send

pytestmark = pytest.mark.django_db

PAID = timezone.make_aware(datetime(2026, 3, 1, 10, 0))


def at(hours: float) -> str:
    return (PAID + timedelta(hours=hours)).isoformat()


def state(external_id: str = "SO-1") -> dict:
    order = Order.objects.get(external_id=external_id)
    return {
        "status": order.status,
        "paid_at": order.paid_at,
        "confirmed_at": order.confirmed_at,
        "lines": list(
            OrderLine.objects.filter(order=order)
            .order_by("position")
            .values_list("position", "sku", "quantity", "amount", "refunded_amount")
        ),
    }


TWO_LINES = [line("DRESS-1", "100.00"), line("SCARF-2", "40.00", quantity=2)]
REFUND_SCARF = [line("DRESS-1", "100.00"), line("SCARF-2", "40.00", quantity=2, refunded="40.00")]


def test_a_bad_body_answers_400_with_field_messages_and_stores_nothing(api):
    body = {"type": "order.shipped", "order": {"lines": [{"sku": "A", "quantity": 0}]}}

    response = post_signed(api, body)

    assert response.status_code == 400
    errors = response.json()
    assert errors["event_id"] == ["This field is required."]
    assert errors["type"] == ['"order.shipped" is not a valid choice.']
    assert errors["order"]["external_id"] == ["This field is required."]
    assert errors["order"]["lines"]["0"]["quantity"] == [
        "Ensure this value is greater than or equal to 1."
    ]
    assert errors["order"]["lines"]["0"]["amount"] == ["This field is required."]
    assert not Order.objects.exists() and not OrderEvent.objects.exists()


def test_body_that_is_not_json_is_refused(api):
    response = post_signed(api, b"{not json")

    assert response.status_code == 400
    assert response.json() == {"detail": "The body is not valid JSON."}


def test_amounts_have_at_most_two_decimals(api):
    response = send(api, "e1", "paid", "SO-1", [line("DRESS-1", "99.999")])

    assert response.status_code == 400
    assert response.json()["order"]["lines"]["0"]["amount"] == [
        "Ensure that there are no more than 2 decimal places."
    ]
    assert not Order.objects.exists()


def test_a_refund_above_the_paid_amount_is_refused(api):
    send(api, "e1", "paid", "SO-1", [line("DRESS-1", "100.00")], occurred_at=at(0))

    response = send(api, "e2", "refunded", "SO-1", [line("DRESS-1", "100.00", refunded="100.01")])

    assert response.status_code == 400
    assert response.json() == {
        "order": {"lines": {"0": {"refunded_amount": ["A refund can never exceed what was paid."]}}}
    }
    assert OrderEvent.objects.count() == 1
    assert state()["status"] == "paid"


def test_a_paid_event_needs_lines(api):
    response = send(api, "e1", "paid", "SO-1", [])

    assert response.status_code == 400
    assert response.json() == {"order": {"lines": ["A paid order has at least one line."]}}


def test_the_same_event_twice_is_stored_once_and_changes_nothing(api):
    first = send(api, "e1", "paid", "SO-1", TWO_LINES, occurred_at=at(0))
    before = state()

    again = send(api, "e1", "paid", "SO-1", TWO_LINES, occurred_at=at(0))
    changed_body = send(api, "e1", "paid", "SO-1", [line("DRESS-1", "1.00")], occurred_at=at(5))

    assert first.status_code == 201
    assert again.status_code == changed_body.status_code == 200
    assert again.json() == {**first.json(), "duplicate": True}
    assert OrderEvent.objects.count() == 1
    assert state() == before


def test_a_race_lost_at_the_unique_event_id_rolls_back_the_new_order(api, monkeypatch):
    """Two deliveries of one event at once: the second passes the look-up before the first
    commits, then its insert hits the unique constraint inside a savepoint."""
    OrderEvent.objects.create(
        event_id="e1",
        order=Order.objects.create(external_id="SO-1"),
        type="order.paid",
        occurred_at=PAID,
        source="webhook",
        payload={"external_id": "SO-1", "lines": []},
    )
    monkeypatch.setattr(order_services, "recorded_event", lambda event_id: None)

    response = send(api, "e1", "paid", "SO-2", [line("DRESS-1")])

    assert response.status_code == 200
    assert response.json()["external_id"] == "SO-1"
    assert not Order.objects.filter(external_id="SO-2").exists()


def test_a_refund_before_the_confirmation_lands_the_same_as_after_it(api):
    send(api, "a1", "paid", "SO-A", TWO_LINES, occurred_at=at(0))
    send(api, "a2", "refunded", "SO-A", REFUND_SCARF, occurred_at=at(30))
    send(api, "a3", "confirmed", "SO-A", TWO_LINES, occurred_at=at(20))

    send(api, "b1", "paid", "SO-B", TWO_LINES, occurred_at=at(0))
    send(api, "b3", "confirmed", "SO-B", TWO_LINES, occurred_at=at(20))
    send(api, "b2", "refunded", "SO-B", REFUND_SCARF, occurred_at=at(30))

    assert (
        state("SO-A")
        == state("SO-B")
        == {
            "status": "confirmed",
            "paid_at": PAID,
            "confirmed_at": PAID + timedelta(hours=20),
            "lines": [
                (1, "DRESS-1", 1, Decimal("100.00"), Decimal("0.00")),
                (2, "SCARF-2", 2, Decimal("40.00"), Decimal("40.00")),
            ],
        }
    )


def test_a_paid_event_arriving_after_the_confirmation(api):
    confirmed = send(api, "e2", "confirmed", "SO-1", TWO_LINES, occurred_at=at(48))
    paid = send(api, "e1", "paid", "SO-1", TWO_LINES, occurred_at=at(0))

    assert confirmed.json()["status"] == "confirmed"
    assert paid.json()["status"] == "confirmed"
    assert state()["paid_at"] == PAID
    assert state()["confirmed_at"] == PAID + timedelta(hours=48)


def test_refunds_only_grow_and_a_full_refund_of_every_line_is_refunded(api):
    send(api, "e1", "paid", "SO-1", TWO_LINES, occurred_at=at(0))
    send(api, "e3", "refunded", "SO-1", REFUND_SCARF, occurred_at=at(10))
    # an older, smaller refund report arriving late changes nothing
    send(
        api,
        "e2",
        "refunded",
        "SO-1",
        [line("DRESS-1", "100.00"), line("SCARF-2", "40.00", 2, refunded="10.00")],
        occurred_at=at(5),
    )
    assert state()["lines"][1][4] == Decimal("40.00")
    assert state()["status"] == "paid"

    everything = [
        line("DRESS-1", "100.00", refunded="100.00"),
        line("SCARF-2", "40.00", 2, refunded="40.00"),
    ]
    response = send(api, "e4", "refunded", "SO-1", everything, occurred_at=at(12))

    assert response.json()["status"] == "refunded"


def test_a_cancellation_wins_whenever_it_arrives(api):
    send(api, "e3", "cancelled", "SO-1", [], occurred_at=at(1))
    send(api, "e1", "paid", "SO-1", TWO_LINES, occurred_at=at(0))
    response = send(api, "e2", "confirmed", "SO-1", [], occurred_at=at(2))

    assert response.json()["status"] == "cancelled"
    assert Order.objects.get().cancelled_at == PAID + timedelta(hours=1)
    assert len(state()["lines"]) == 2  # lines come from the paid event


def test_without_occurred_at_the_event_happens_at_the_signature_time(api):
    with time_machine.travel(PAID, tick=False):
        send(api, "e1", "paid", "SO-1", TWO_LINES)

    assert OrderEvent.objects.get().occurred_at == PAID
    assert state()["paid_at"] == PAID


def test_a_settled_order_stays_settled_when_a_late_event_arrives(api):
    send(api, "e1", "paid", "SO-1", TWO_LINES, occurred_at=at(0))
    Order.objects.update(status="settled")

    assert send(api, "e2", "confirmed", "SO-1", [], occurred_at=at(1)).json()["status"] == "settled"


def test_lines_keep_their_rows_and_attribution_across_rebuilds(api):
    link = promoted_link(sku="DRESS-1")
    send(api, "e1", "paid", "SO-1", TWO_LINES, link_code=link.code, occurred_at=at(0))
    dress = OrderLine.objects.get(sku="DRESS-1")
    assert dress.link == link

    send(api, "e2", "refunded", "SO-1", REFUND_SCARF, occurred_at=at(3))
    send(api, "e3", "confirmed", "SO-1", [], occurred_at=at(4))

    again = OrderLine.objects.get(sku="DRESS-1")
    assert (again.pk, again.link_id, again.attributed_at) == (
        dress.pk,
        link.pk,
        dress.attributed_at,
    )
    assert OrderLine.objects.count() == 2


def test_every_rebuild_calls_the_money_hook_inside_the_transaction(api, monkeypatch):
    seen = []
    monkeypatch.setattr(
        order_services,
        "order_changed",
        lambda order: seen.append((order.external_id, order.status)),
    )

    send(api, "e1", "paid", "SO-1", TWO_LINES, occurred_at=at(0))
    send(api, "e1", "paid", "SO-1", TWO_LINES, occurred_at=at(0))  # a replay: no rebuild
    send(api, "e2", "confirmed", "SO-1", [], occurred_at=at(1))

    assert seen == [("SO-1", "paid"), ("SO-1", "confirmed")]


def test_replay_sorts_by_time_then_type_rank():
    """Same time: paid < confirmed < refunded < cancelled, whatever the ids."""
    events = [
        OrderEvent(pk=1, type="order.cancelled", occurred_at=PAID, payload={}),
        OrderEvent(
            pk=2,
            type="order.refunded",
            occurred_at=PAID,
            payload={"lines": [line("A", "5.00", refunded="5.00")]},
        ),
        OrderEvent(
            pk=3, type="order.paid", occurred_at=PAID, payload={"lines": [line("A", "5.00")]}
        ),
    ]

    result = order_services.replay(events)

    assert [
        order_services.event_sort_key(e)[1]
        for e in sorted(events, key=order_services.event_sort_key)
    ] == [0, 2, 3]
    assert result.status == "cancelled"
    assert result.lines[0].refunded_amount == Decimal("5.00")
