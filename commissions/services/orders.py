"""Orders from storefront events (DESIGN.md "Order", "Webhooks").

Every event is stored (``OrderEvent``, ``event_id`` unique, so the same
event twice changes nothing) and the order's state is then REBUILT from all
its events, whatever order they arrived in. Events are replayed sorted by
(occurred_at, type rank paid < confirmed < refunded < cancelled, id):

- lines (identity: position) are the first paid event's: its amounts and SKUs are fixed, and
  an event that says otherwise is refused before it is stored (services.order_rules); before
  a paid event arrives, the latest event carrying lines gives them provisionally. A line's
  refunded amount is the largest one any event reported for that position and sku (refunds
  only grow), never above its amount;
- status: cancelled if any event cancelled it; else refunded if every line
  is fully refunded; else confirmed if a confirmed event exists; else paid.
  ``settled`` is set by settlement only, and kept by a rebuild that would
  say paid or confirmed;
- paid_at is the first paid event's time (or, before that event arrives,
  the first event's), confirmed_at / cancelled_at the first of their kind;
- click id and link code: the latest non-empty value.

The rebuild runs in one transaction with the Order row locked, updates the
lines in place (an attributed line keeps its attribution), attributes the
lines not attributed yet, and calls ``order_changed``.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from commissions.locks import lock_order_by_external_id
from commissions.models import Order, OrderEvent, OrderLine
from commissions.services.attribution import ATTRIBUTION_FIELDS, attribute_order_lines
from commissions.services.commissions import recompute_commissions
from commissions.services.order_rules import (
    TYPE_RANK,
    EventRefused,
    ensure_consistent,
    may_claim,
    tell_merchant,
)

logger = logging.getLogger(__name__)

Type = OrderEvent.Type
Status = Order.Status
LINE_FIELDS = ["sku", "quantity", "amount", "refunded_amount"]
ZERO = Decimal("0.00")
REFUND_ABOVE_PAID = _("A refund can never exceed what was paid.")


@dataclass(frozen=True)
class IncomingEvent:
    """An event as received; ``payload`` is the order object, JSON-safe (amounts as strings)."""

    event_id: str
    type: str
    occurred_at: datetime
    source: str
    payload: dict[str, Any]

    @property
    def external_id(self) -> str:
        return self.payload["external_id"]


@dataclass(frozen=True)
class EventOutcome:
    order: Order
    created: bool


@dataclass
class LineState:
    position: int
    sku: str
    quantity: int
    amount: Decimal
    refunded_amount: Decimal = ZERO


@dataclass
class OrderState:
    status: str
    lines: list[LineState]
    paid_at: datetime | None
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    click_id: str
    link_code: str


class DuplicateEvent(Exception):
    """Another request stored this event_id first."""


def order_changed(order: Order) -> None:
    """The hook for the money side: called after every rebuild (and after a retried
    attribution), inside the same transaction, with the order row still locked and its
    lines saved. Commissions follow the order: new attributed lines get one, refunds shrink
    the base (or, after settlement, leave a clawback for the next run), a cancellation voids."""
    recompute_commissions(order_id=order.pk)


def record_order_event(*, event: IncomingEvent) -> EventOutcome:
    """Store one webhook event and rebuild its order. Rules: an ``event_id`` seen before
    changes nothing (the unique constraint decides a race: the loser's savepoint fails
    and its whole transaction, a new order row included, is rolled back); an event that
    contradicts the order's first paid event is refused (EventRefused, 409), changes
    nothing, and the merchant is told."""
    seen = recorded_event(event.event_id)
    if seen is not None:
        return EventOutcome(order=seen.order, created=False)
    try:
        with transaction.atomic():
            order = lock_order_by_external_id(external_id=event.external_id)
            try:
                with transaction.atomic():
                    store_event(order=order, event=event)
            except IntegrityError as exc:
                raise DuplicateEvent from exc
            ensure_consistent(order=order, new_event_ids={event.event_id})
            rebuild_order(order)
    except DuplicateEvent:
        seen = OrderEvent.objects.select_related("order").get(event_id=event.event_id)
        return EventOutcome(order=seen.order, created=False)
    except EventRefused as refused:
        tell_merchant(refused)
        raise
    return EventOutcome(order=order, created=True)


@dataclass(frozen=True)
class ImportedEvents:
    """The events of one order of an import, and the file line that names the order."""

    external_id: str
    line: int
    events: list[IncomingEvent]


class OrderTaken(Exception):
    """The order already belongs to another merchant, or its events were refused; ``message``
    says which (None: the order is another merchant's)."""

    def __init__(self, imported: ImportedEvents, message: str | None = None):
        super().__init__(imported.external_id)
        self.imported, self.message = imported, message


def apply_imported_events(*, merchant: Organisation, orders: list[ImportedEvents]) -> int:
    """Store a merchant's imported events and rebuild the orders that got new ones; how many
    events were new. All orders or none, in one transaction; orders are locked in external_id
    order (docs/architecture.md "Lock order"). An order of another merchant, or
    one without a merchant whose SKUs this merchant does not all sell, raises OrderTaken; an
    event contradicting the order's first paid event raises EventRefused."""
    applied = 0
    with transaction.atomic():
        for imported in sorted(orders, key=lambda item: item.external_id):
            order = lock_order_by_external_id(external_id=imported.external_id, merchant=merchant)
            if not may_claim(order=order, merchant=merchant):
                raise OrderTaken(imported)
            claimed = order.merchant_id is None
            order.merchant = merchant
            new = store_new_events(order=order, events=imported.events)
            if new:
                try:
                    ensure_consistent(
                        order=order, new_event_ids={event.event_id for event in imported.events}
                    )
                except EventRefused as refused:
                    raise OrderTaken(imported, refused.message) from refused
                rebuild_order(order)
            elif claimed:
                order.save(update_fields=["merchant", "updated_at"])
            applied += new
    return applied


def recorded_event(event_id: str) -> OrderEvent | None:
    """The cheap look-up that answers most replays without taking any lock."""
    return OrderEvent.objects.select_related("order").filter(event_id=event_id).first()


def event_row(*, order: Order, event: IncomingEvent) -> OrderEvent:
    """The (unsaved) row of an incoming event on its order."""
    return OrderEvent(
        event_id=event.event_id,
        order=order,
        type=event.type,
        occurred_at=event.occurred_at,
        source=event.source,
        payload=event.payload,
    )


def store_event(*, order: Order, event: IncomingEvent) -> OrderEvent:
    row = event_row(order=order, event=event)
    row.save(force_insert=True)
    return row


def store_new_events(*, order: Order, events: list[IncomingEvent]) -> int:
    """Store the events the (locked) order does not have yet; how many were new.
    Under the order's lock nobody else adds events to it, so check-then-insert is safe;
    an event id taken by another order still fails loudly with IntegrityError."""
    ids = [event.event_id for event in events]
    known = set(OrderEvent.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
    fresh = {event.event_id: event for event in events if event.event_id not in known}
    OrderEvent.objects.bulk_create(event_row(order=order, event=event) for event in fresh.values())
    return len(fresh)


def event_sort_key(event: OrderEvent) -> tuple:
    return (event.occurred_at, TYPE_RANK[event.type], event.pk)


def payload_lines(payload: dict[str, Any]) -> list[LineState]:
    return [
        LineState(
            position=position,
            sku=line["sku"],
            quantity=int(line["quantity"]),
            amount=Decimal(str(line["amount"])),
            refunded_amount=Decimal(str(line.get("refunded_amount") or "0")),
        )
        for position, line in enumerate(payload.get("lines") or [], start=1)
    ]


def replay(events: list[OrderEvent]) -> OrderState:
    """The order's state from its events (any order in, sorted here); pure. The lines are the
    first paid event's (before one arrives, the latest event's that carries lines)."""
    events = sorted(events, key=event_sort_key)
    lines: list[LineState] = []
    fixed = False
    refunds: dict[tuple[int, str], Decimal] = {}
    first: dict[str, datetime] = {}
    click_id = link_code = ""
    for event in events:
        carried = payload_lines(event.payload)
        if carried and not fixed:
            lines = carried
            fixed = event.type == Type.PAID
        for line in carried:
            key = (line.position, line.sku)
            refunds[key] = max(refunds.get(key, ZERO), line.refunded_amount)
        first.setdefault(event.type, event.occurred_at)
        click_id = event.payload.get("click_id") or click_id
        link_code = event.payload.get("link_code") or link_code
    for line in lines:
        line.refunded_amount = min(refunds.get((line.position, line.sku), ZERO), line.amount)
    return OrderState(
        status=status_of(first, lines),
        lines=lines,
        paid_at=first.get(Type.PAID) or (events[0].occurred_at if events else None),
        confirmed_at=first.get(Type.CONFIRMED),
        cancelled_at=first.get(Type.CANCELLED),
        click_id=click_id,
        link_code=link_code,
    )


def status_of(first: dict[str, datetime], lines: list[LineState]) -> str:
    if Type.CANCELLED in first:
        return Status.CANCELLED
    refunded = any(line.refunded_amount > 0 for line in lines)
    if refunded and all(line.refunded_amount == line.amount for line in lines):
        return Status.REFUNDED
    if Type.CONFIRMED in first:
        return Status.CONFIRMED
    return Status.PAID


def rebuild_order(order: Order) -> Order:
    """Recompute the (locked) order from all its events, attribute what is not yet
    attributed, save, and call ``order_changed``. Call inside a transaction."""
    state = replay(list(order.events.all()))
    keep_settled = order.status == Status.SETTLED and state.status in (
        Status.PAID,
        Status.CONFIRMED,
    )
    order.status = Status.SETTLED if keep_settled else state.status
    order.paid_at, order.confirmed_at = state.paid_at, state.confirmed_at
    order.cancelled_at = state.cancelled_at
    order.click_id, order.link_code = state.click_id[:32], state.link_code[:16]
    lines, new_lines = sync_lines(order, state.lines)
    attribute_order_lines(order=order, lines=lines)
    existing = [line for line in lines if line.pk is not None]
    OrderLine.objects.bulk_update(existing, [*LINE_FIELDS, *ATTRIBUTION_FIELDS])
    OrderLine.objects.bulk_create(new_lines)
    order.save()
    order_changed(order)
    return order


def sync_lines(order: Order, states: list[LineState]) -> tuple[list[OrderLine], list[OrderLine]]:
    """The order's lines updated in place by position: (all lines, the new unsaved ones).

    A line whose sku changed loses its attribution (it is another product now). Lines
    beyond the latest event's are deleted, unless attributed: those are kept, since the
    money side refers to them, and logged for a person to look at.
    """
    existing = {line.position: line for line in order.lines.all()}
    lines, new_lines = [], []
    for state in states:
        line = existing.pop(state.position, None)
        if line is None:
            line = OrderLine(order=order, position=state.position)
            new_lines.append(line)
        elif line.sku != state.sku:
            clear_attribution(line)
        for name in LINE_FIELDS:
            setattr(line, name, getattr(state, name))
        lines.append(line)
    extra = [line for line in existing.values() if line.link_id is None]
    if extra:
        OrderLine.objects.filter(pk__in=[line.pk for line in extra]).delete()
    for line in existing.values():
        if line.link_id is not None:
            logger.warning("order %s: attributed line %s is no longer sent", order, line.position)
            lines.append(line)
    return lines, new_lines


def clear_attribution(line: OrderLine) -> None:
    line.link = line.click = line.product = None
    line.attributed_at, line.unattributed_reason, line.attribution_attempts = None, "", 0
