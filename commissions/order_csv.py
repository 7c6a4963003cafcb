"""The storefront's order export as CSV: check every row, then apply all orders or none.

What the rows mean, how they are checked and which events they stand for is
in ``order_csv_rows``; orders rebuild from their events in
``services.orders``. Importing the same file twice changes nothing (event ids
come from the content).

Files up to ``settings.ORDER_IMPORT_SYNC_MAX_ROWS`` rows run in the request.
Larger ones become an ``OrderImport`` run by a Celery task: it checks the
rows in chunks, saving ``processed_rows`` after each chunk in autocommit (so
the progress bar moves while it runs), then applies every order in one
transaction. A sweeper re-sends lost runs.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from commissions.models import OrderImport
from commissions.order_csv_rows import (
    COLUMNS,
    REQUIRED_COLUMNS,
    ImportedOrder,
    check_merchant,
    check_rows,
    events_of,
    read_order_csv,
)
from commissions.services.orders import ImportedEvents, OrderTaken, apply_imported_events
from core import import_jobs
from core.csv_upload import CsvRejected, RowError, decode_csv

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "import_orders", "run_order_import",
           "sweep_stalled_imports"]  # fmt: skip


@dataclass
class ImportResult:
    orders: int
    applied_events: int


def write_orders(*, merchant: Organisation, orders: list[ImportedOrder]) -> ImportResult:
    """Apply every order's events in one transaction, or none of them."""
    batch = [ImportedEvents(order.external_id, order.line, events_of(order)) for order in orders]
    try:
        applied = apply_imported_events(merchant=merchant, orders=batch)
    except OrderTaken as taken:
        message = taken.message or _(
            "Order %(order)s is another shop's order; it cannot be imported here."
        ) % {"order": taken.imported.external_id}
        raise CsvRejected([RowError(taken.imported.line, "order_id", message)]) from taken
    except IntegrityError as exc:
        message = _("Another upload changed these orders at the same time; try again.")
        raise CsvRejected([RowError(None, None, message)]) from exc
    return ImportResult(orders=len(orders), applied_events=applied)


def import_orders(
    *,
    merchant: Organisation,
    by: User | None,
    data: bytes,
    filename: str = "",
    enqueue: Callable[[int], object],
) -> ImportResult | OrderImport:
    """Import a merchant's order export: small files at once (all orders or none, every bad
    row reported); larger ones queued as an OrderImport, and ``enqueue(import id)`` (its
    Celery task, passed in) sent after commit."""
    check_merchant(merchant)
    text = decode_csv(data)
    table = read_order_csv(text)
    if len(table.rows) <= settings.ORDER_IMPORT_SYNC_MAX_ROWS:
        return write_orders(merchant=merchant, orders=check_rows(table, merchant=merchant))
    return import_jobs.queue(
        OrderImport,
        merchant=merchant,
        by=by,
        filename=filename,
        text=text,
        total_rows=len(table.rows),
        enqueue=enqueue,
    )


def run_order_import(*, import_id: int) -> bool:
    """Run a queued import once (core.import_jobs claims it); False if it was not queued."""
    return import_jobs.run_claimed(
        model=OrderImport, import_id=import_id, process=process_import, finish=finish_import
    )


def process_import(order_import: OrderImport) -> None:
    merchant = check_merchant(order_import.merchant)
    table = read_order_csv(order_import.content)
    progress = OrderImport.objects.filter(pk=order_import.pk)
    # Outside the write transaction: each chunk's progress is committed at once.
    orders = check_rows(
        table, merchant=merchant, on_progress=lambda done: progress.update(processed_rows=done)
    )
    with transaction.atomic():
        result = write_orders(merchant=merchant, orders=orders)
        finish_import(order_import.pk, result=result)


def finish_import(
    import_id: int, *, result: ImportResult | None = None, errors: list[dict] | None = None
) -> None:
    """A successful finish commits with the orders."""
    counts = {"applied_events": result.applied_events} if result else None
    import_jobs.finish(OrderImport, import_id, counts=counts, errors=errors)


def sweep_stalled_imports(*, enqueue: Callable[[int], object]) -> dict[str, int]:
    """Re-send lost messages and put back runs whose worker died (core.import_jobs)."""
    return import_jobs.sweep_stalled(model=OrderImport, enqueue=enqueue)
