"""Helpers of the order, webhook, attribution and order-import tests."""

import csv
import io
import json
import time
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from commissions.models import Click
from commissions.services.webhooks import signature_header
from tests.factories import AffiliateLinkFactory

WEBHOOK_URL = "/api/v1/webhooks/orders/"
IMPORT_URL = "/api/v1/orders/import/"
IMPORT_COLUMNS = [
    "order_id",
    "status",
    "sku",
    "quantity",
    "amount",
    "refunded_amount",
    "click_id",
    "link_code",
    "paid_at",
    "confirmed_at",
    "refunded_at",
]


def line(sku: str, amount: str = "100.00", quantity: int = 1, refunded: str | None = None):
    item = {"sku": sku, "quantity": quantity, "amount": amount}
    if refunded is not None:
        item["refunded_amount"] = refunded
    return item


def event(event_id: str, kind: str, external_id: str, lines: list, **order) -> dict:
    return {
        "event_id": event_id,
        "type": f"order.{kind}",
        "order": {"external_id": external_id, "lines": lines, **order},
    }


def post_signed(
    client,
    body: dict | bytes,
    *,
    t: int | None = None,
    secret: str | None = None,
    header: str | None = None,
):
    """POST the body to the webhook, signed like the storefront does (unless told otherwise)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    if header is None:
        stamp = int(time.time()) if t is None else t
        key = settings.ORDER_WEBHOOK_SECRET if secret is None else secret
        header = signature_header(body=raw, timestamp=stamp, secret=key)
    extra = {} if header == "" else {"HTTP_X_SIGNATURE": header}
    return client.post(WEBHOOK_URL, data=raw, content_type="application/json", **extra)


def send(client, event_id: str, kind: str, external_id: str, lines: list, **order):
    return post_signed(client, event(event_id, kind, external_id, lines, **order))


def iso(moment: datetime) -> str:
    return moment.isoformat()


def promoted_link(*, sku: str = "DRESS-1", window: int = 7, **kwargs):
    """A buyer's link of an approved enrollment of a product with this sku, made long before the
    orders of these tests were paid (a link code earns only for orders paid after it)."""
    kwargs.setdefault("made_at", timezone.now() - timedelta(days=335))
    return AffiliateLinkFactory(
        enrollment__product__sku=sku,
        enrollment__campaign__attribution_window_days=window,
        **kwargs,
    )


def click_on(link, *, at: datetime, click_id: str = "click-1") -> Click:
    return Click.objects.create(link=link, click_id=click_id, clicked_at=at, ip_hash="0" * 64)


def order_csv(rows: list[dict], columns=IMPORT_COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def order_row(order_id: str = "SO-1", sku: str = "DRESS-1", **overrides) -> dict:
    row = {
        "order_id": order_id,
        "status": "paid",
        "sku": sku,
        "quantity": "1",
        "amount": "100.00",
        "refunded_amount": "",
        "click_id": "",
        "link_code": "",
        "paid_at": "2026-03-01 14:30:00",
        "confirmed_at": "",
        "refunded_at": "",
    }
    row.update(overrides)
    return row


def money(value: str) -> Decimal:
    return Decimal(value)
