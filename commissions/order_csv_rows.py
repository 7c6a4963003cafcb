"""The rows of the storefront's order export: read, check, group into orders, and turn
each order into events (the same ones a webhook would send).

Columns: order_id, status (paid / confirmed / refunded / cancelled), sku,
quantity, amount, refunded_amount, click_id, link_code, paid_at,
confirmed_at, refunded_at. Times are ISO 8601 or ``YYYY-MM-DD HH:MM:SS``
(without a zone: Asia/Shanghai). Each row is one line; rows with the same
order_id are one order, lines in file order, and must agree on the order's
fields (status, click_id, link_code and the times). Every sku must be one of
the importing merchant's products, and an order id another merchant already
has is refused.

Events: paid at paid_at; confirmed at confirmed_at if given; refunded at
refunded_at if a line has a refunded amount; cancelled if the status says so
(at the latest time given). Event ids are derived from the content ("csv:" +
SHA-256 of the order id, the type and what the event says), so importing the
same file twice changes nothing, and a later export with more refunds adds
only the new refund event.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role
from commissions.models import Order, OrderEvent
from commissions.services.orders import REFUND_ABOVE_PAID, IncomingEvent
from core import dates
from core.csv_upload import CellError, CsvRejected, CsvTable, RowError, read_csv, read_text_cell
from core.errors import Forbidden, ensure
from merchants.models import Product

COLUMNS = ("order_id", "status", "sku", "quantity", "amount", "refunded_amount", "click_id",
           "link_code", "paid_at", "confirmed_at", "refunded_at")  # fmt: skip
REQUIRED_COLUMNS = ("order_id", "status", "sku", "quantity", "amount", "paid_at")
OPTIONAL_COLUMNS = tuple(column for column in COLUMNS if column not in REQUIRED_COLUMNS)
LINE_FIELDS = ("sku", "quantity", "amount", "refunded_amount")
ORDER_FIELDS = ("status", "click_id", "link_code", "paid_at", "confirmed_at", "refunded_at")
STATUSES = ("paid", "confirmed", "refunded", "cancelled")
STOREFRONT_ZONE = ZoneInfo("Asia/Shanghai")
CHECK_CHUNK = 500
LOOKUP_BATCH = 500
Type = OrderEvent.Type


@dataclass
class ImportedOrder:
    """One order of the file: its order-level fields, lines and the lines' file line numbers."""

    external_id: str
    line: int
    fields: dict[str, Any]
    lines: list[dict[str, Any]] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)


def text_reader(max_length: int, *, required: bool) -> Callable[[str], str]:
    def read(cell: str) -> str:
        return read_text_cell(cell, max_length=max_length, required=required)

    return read


def money_reader(*, required: bool) -> Callable[[str], Decimal]:
    def read(cell: str) -> Decimal:
        value = cell.strip()
        if not value:
            if required:
                raise CellError(_("This value is required."))
            return Decimal("0.00")
        try:
            amount = Decimal(value)
        except InvalidOperation as exc:
            raise CellError(_("Enter an amount such as 199.00.")) from exc
        if not amount.is_finite() or amount < 0:
            raise CellError(_("Enter an amount such as 199.00, 0 or more."))
        if amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e10"):
            raise CellError(_("Use at most 2 decimal places."))
        return amount.quantize(Decimal("0.01"))

    return read


def read_quantity(cell: str) -> int:
    value = cell.strip()
    if not value.isdigit() or not 1 <= int(value) <= 1_000_000:
        raise CellError(_("Enter a whole number of items, 1 or more."))
    return int(value)


def time_reader(*, required: bool) -> Callable[[str], datetime | None]:
    def read(cell: str) -> datetime | None:
        value = cell.strip()
        if not value:
            if required:
                raise CellError(_("This value is required."))
            return None
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None:
            raise CellError(_("Enter a time such as 2026-03-01 14:30:00 or ISO 8601."))
        # Year 1 or 9999 would overflow where attribution subtracts its window.
        if not dates.in_range(moment):
            raise CellError(dates.out_of_range_message())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=STOREFRONT_ZONE)
        return moment

    return read


def read_status(cell: str) -> str:
    value = cell.strip().lower()
    if value not in STATUSES:
        raise CellError(_("Use one of: %s.") % ", ".join(STATUSES))
    return value


READERS: dict[str, Callable[[str], Any]] = {
    "order_id": text_reader(64, required=True),
    "status": read_status,
    "sku": text_reader(64, required=True),
    "quantity": read_quantity,
    "amount": money_reader(required=True),
    "refunded_amount": money_reader(required=False),
    "click_id": text_reader(32, required=False),
    "link_code": text_reader(16, required=False),
    "paid_at": time_reader(required=True),
    "confirmed_at": time_reader(required=False),
    "refunded_at": time_reader(required=False),
}


def read_order_csv(text: str) -> CsvTable:
    """Parse the decoded file; a bad header answers at once, before any row is read."""
    table = read_csv(text, columns=COLUMNS, required=REQUIRED_COLUMNS)
    if not table.rows and not table.errors:
        raise CsvRejected([RowError(2, None, _("The file has no orders below the header."))])
    return table


def check_row(line: int, cells: dict[str, str]) -> dict[str, Any]:
    # A column left out of the file reads as a blank cell.
    values = {column: READERS[column]("") for column in OPTIONAL_COLUMNS}
    errors = []
    for column, cell in cells.items():
        try:
            values[column] = READERS[column](cell)
        except CellError as problem:
            errors.append(RowError(line, column, problem.message))
    if not errors and values["refunded_amount"] > values["amount"]:
        errors.append(RowError(line, "refunded_amount", str(REFUND_ABOVE_PAID)))
    if errors:
        raise CsvRejected(errors)
    return values


def add_row(orders: dict[str, ImportedOrder], line: int, values: dict[str, Any]) -> None:
    """Group the row into its order; a row disagreeing on an order-level field is refused."""
    fields = {name: values[name] for name in ORDER_FIELDS}
    order = orders.get(values["order_id"])
    if order is None:
        order = orders[values["order_id"]] = ImportedOrder(values["order_id"], line, fields)
    else:
        message = _("Order %(order)s has another %(field)s on line %(line)d.")
        errors = [
            RowError(
                line,
                name,
                message % {"order": order.external_id, "field": name, "line": order.line},
            )
            for name in ORDER_FIELDS
            if fields[name] != order.fields[name]
        ]
        if errors:
            raise CsvRejected(errors)
    order.lines.append({name: values[name] for name in LINE_FIELDS})
    order.line_numbers.append(line)


def order_errors(order: ImportedOrder) -> list[RowError]:
    """The order's own rules: the times its status needs, in a possible order."""
    fields, line, errors = order.fields, order.line, []
    refunded = any(item["refunded_amount"] > 0 for item in order.lines)
    if fields["status"] == "confirmed" and not fields["confirmed_at"]:
        errors.append(RowError(line, "confirmed_at", _("A confirmed order needs confirmed_at.")))
    if fields["status"] == "refunded" and not refunded:
        message = _("A refunded order needs a refunded_amount on at least one of its lines.")
        errors.append(RowError(line, "refunded_amount", message))
    if refunded and not fields["refunded_at"]:
        errors.append(RowError(line, "refunded_at", _("A refund needs refunded_at.")))
    for name in ("confirmed_at", "refunded_at"):
        if fields[name] and fields[name] < fields["paid_at"]:
            errors.append(RowError(line, name, _("This time is before paid_at.")))
    return errors


def ownership_errors(merchant: Organisation, orders: dict[str, ImportedOrder]) -> list[RowError]:
    """SKUs that are not the merchant's products, and order ids another merchant has."""
    skus = {item["sku"] for order in orders.values() for item in order.lines}
    ids = list(orders)
    own = set(in_batches(Product.objects.filter(merchant=merchant), "sku", sorted(skus)))
    taken = set(
        in_batches(
            Order.objects.exclude(merchant__isnull=True).exclude(merchant=merchant),
            "external_id",
            ids,
        )
    )
    errors = []
    for order in orders.values():
        if order.external_id in taken:
            message = _("Order %(order)s is another shop's order; it cannot be imported here.")
            errors.append(RowError(order.line, "order_id", message % {"order": order.external_id}))
        for item, line in zip(order.lines, order.line_numbers, strict=True):
            if item["sku"] not in own:
                message = _("SKU %(sku)s is not one of your products.") % {"sku": item["sku"]}
                errors.append(RowError(line, "sku", message))
    return errors


def in_batches(queryset, name: str, values: list[str]) -> list[str]:
    found: list[str] = []
    for start in range(0, len(values), LOOKUP_BATCH):
        chunk = values[start : start + LOOKUP_BATCH]
        found.extend(queryset.filter(**{f"{name}__in": chunk}).values_list(name, flat=True))
    return found


def check_rows(
    table: CsvTable,
    *,
    merchant: Organisation,
    on_progress: Callable[[int], None] | None = None,
) -> list[ImportedOrder]:
    """Every row checked and grouped into orders; every problem reported, or none."""
    orders: dict[str, ImportedOrder] = {}
    errors = list(table.errors)
    for start in range(0, len(table.rows), CHECK_CHUNK):
        for line, cells in table.rows[start : start + CHECK_CHUNK]:
            try:
                add_row(orders, line, check_row(line, cells))
            except CsvRejected as rejected:
                errors.extend(rejected.errors)
        if on_progress:
            on_progress(min(start + CHECK_CHUNK, len(table.rows)))
    for order in orders.values():
        errors.extend(order_errors(order))
    errors.extend(ownership_errors(merchant, orders))
    if errors:
        raise CsvRejected(sorted(errors, key=lambda error: (error.line or 0, error.field or "")))
    return list(orders.values())


def event_lines(order: ImportedOrder, *, with_refunds: bool) -> list[dict[str, Any]]:
    return [
        {
            "sku": item["sku"],
            "quantity": item["quantity"],
            "amount": f"{item['amount']:.2f}",
            "refunded_amount": f"{item['refunded_amount'] if with_refunds else 0:.2f}",
        }
        for item in order.lines
    ]


def event_for(order: ImportedOrder, kind: str, at: datetime, lines: list[dict]) -> IncomingEvent:
    payload = {
        "external_id": order.external_id,
        "click_id": order.fields["click_id"],
        "link_code": order.fields["link_code"],
        "lines": lines,
    }
    content = [order.external_id, kind, lines]
    if kind == Type.PAID:
        content += [order.fields["click_id"], order.fields["link_code"]]
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return IncomingEvent(
        event_id=f"csv:{digest}",
        type=kind,
        occurred_at=at,
        source=OrderEvent.Source.CSV,
        payload=payload,
    )


def events_of(order: ImportedOrder) -> list[IncomingEvent]:
    """The events the row(s) of one order stand for, with content-derived ids."""
    fields = order.fields
    paid_lines = event_lines(order, with_refunds=False)
    events = [event_for(order, Type.PAID, fields["paid_at"], paid_lines)]
    if fields["confirmed_at"]:
        events.append(event_for(order, Type.CONFIRMED, fields["confirmed_at"], paid_lines))
    if any(item["refunded_amount"] > 0 for item in order.lines):
        refunds = event_lines(order, with_refunds=True)
        events.append(event_for(order, Type.REFUNDED, fields["refunded_at"], refunds))
    if fields["status"] == "cancelled":
        given = [fields[name] for name in ("paid_at", "confirmed_at", "refunded_at")]
        latest = max(moment for moment in given if moment)
        events.append(event_for(order, Type.CANCELLED, latest, paid_lines))
    return events


def check_merchant(merchant: Organisation | None) -> Organisation:
    ensure(
        merchant is not None and merchant.role == Role.MERCHANT,
        Forbidden(_("Only merchants import their orders.")),
    )
    ensure(merchant.is_active, Forbidden(_("Your organisation is not active, so it cannot write.")))
    return merchant
