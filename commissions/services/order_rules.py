"""What a later event may say about an order (DESIGN.md, "Rules added after the first version"):

- its amounts and SKUs are fixed by its first paid event; later events only move its status and
  add refunds. An event whose lines say otherwise (another amount, quantity or SKU, lines added
  or dropped) is refused, changes nothing, and the merchant is told;
- its merchant is fixed by its first attributed line: an import from another merchant is
  refused, and an order with no merchant yet is claimed only by a merchant that sells every
  SKU on it.
"""

import logging
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import Organisation
from commissions.models import Order, OrderEvent
from core.errors import Conflict
from core.money import CENT
from core.notifications import notify
from merchants.models import Product

logger = logging.getLogger(__name__)

Type = OrderEvent.Type
TYPE_RANK = {Type.PAID: 0, Type.CONFIRMED: 1, Type.REFUNDED: 2, Type.CANCELLED: 3}


class EventRefused(Conflict):
    """The event contradicts what the order's first paid event fixed. Answers 409."""

    def __init__(self, message: str, *, order: Order, event_id: str, event_type: str):
        super().__init__(message, field="order")
        self.order, self.event_id, self.event_type = order, event_id, event_type


def line_terms(lines: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    """(sku, quantity, amount) per position: what a paid event fixes."""
    return [
        (line["sku"], int(line["quantity"]), str(Decimal(str(line["amount"])).quantize(CENT)))
        for line in lines
    ]


def first_paid(events: list[OrderEvent]) -> OrderEvent | None:
    paid = [event for event in events if event.type == Type.PAID and event.payload.get("lines")]
    return min(paid, key=lambda e: (e.occurred_at, TYPE_RANK[e.type], e.pk), default=None)


def contradiction(fixed: list[tuple[str, int, str]], said: list[tuple[str, int, str]]) -> str:
    """ "" when ``said`` (an event's lines) agrees with ``fixed``, else what differs."""
    if len(said) != len(fixed):
        return _("it has %(said)d lines; the order was paid with %(fixed)d.") % {
            "said": len(said), "fixed": len(fixed),
        }  # fmt: skip
    for position, (was, now) in enumerate(zip(fixed, said, strict=True), start=1):
        if was != now:
            return _(
                "line %(position)d says %(now_sku)s x %(now_quantity)d for %(now_amount)s; the "
                "order was paid %(was_sku)s x %(was_quantity)d for %(was_amount)s."
            ) % {
                "position": position, "now_sku": now[0], "now_quantity": now[1],
                "now_amount": now[2], "was_sku": was[0], "was_quantity": was[1],
                "was_amount": was[2],
            }  # fmt: skip
    return ""


def ensure_consistent(*, order: Order, new_event_ids: set[str]) -> None:
    """Refuse (raise, so the caller's transaction rolls back) when an event just stored on the
    locked order has lines that contradict the order's first paid event: the first one of the
    events stored before, or when there was none, the first of all. Before any paid event,
    lines are provisional and anything goes."""
    events = list(order.events.all())
    earlier = [event for event in events if event.event_id not in new_event_ids]
    fixed_by = first_paid(earlier) or first_paid(events)
    if fixed_by is None:
        return
    fixed = line_terms(fixed_by.payload["lines"])
    for event in sorted(events, key=lambda e: (e.occurred_at, TYPE_RANK[e.type], e.pk)):
        if event.event_id not in new_event_ids or event.pk == fixed_by.pk:
            continue
        problem = contradiction(fixed, line_terms(event.payload.get("lines") or []))
        if event.payload.get("lines") and problem:
            message = _(
                "Event %(event)s (%(type)s) of order %(order)s is refused: %(problem)s Amounts "
                "and SKUs are fixed by the first paid event; later events may only add refunds."
            ) % {"event": event.event_id, "type": event.type, "order": order.external_id,
                 "problem": problem}  # fmt: skip
            raise EventRefused(message, order=order, event_id=event.event_id, event_type=event.type)


def tell_merchant(refused: EventRefused) -> None:
    """Log the refusal and, when the order has a merchant, leave it a notice (outside the
    refused transaction, so it stays)."""
    logger.warning("refused order event: %s", refused.message)
    merchant_id = refused.order.merchant_id
    if merchant_id is not None:
        merchant = Organisation.objects.filter(pk=merchant_id).first()
        if merchant is not None:
            notify(organisation=merchant, kind="order.event_refused", message=refused.message)


def may_claim(*, order: Order, merchant: Organisation) -> bool:
    """A merchant may import events of an order that is its own, or that has no merchant yet
    when it sells every SKU already on the order (an order nobody owns is not anybody's)."""
    if order.merchant_id is not None:
        return order.merchant_id == merchant.pk
    skus = set(order.lines.values_list("sku", flat=True))
    if not skus:
        return True
    sold = set(
        Product.objects.filter(merchant=merchant, sku__in=skus).values_list("sku", flat=True)
    )
    return sold == skus
