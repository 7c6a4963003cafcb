"""The product CSV import: check every row, then write all rows or none.

Columns are the product fields; ``sku``, ``title``, ``category``, ``price``
and ``storefront_url`` are required. Rows create or update by SKU within the
merchant. A column left out keeps an existing product's value (new products
get an empty brand and image, stock 0, status draft); a blank status cell
keeps the current status too.

Files of up to ``settings.PRODUCT_IMPORT_SYNC_MAX_ROWS`` rows run in the
request. Larger ones become a ``ProductImport`` run by a Celery task: it
checks the rows in chunks, saving ``processed_rows`` after each chunk in
autocommit (so the progress bar moves while it runs), then writes everything
in one transaction with bulk_create / bulk_update in batches.
"""

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from core import generations, import_jobs
from core.csv_upload import (
    CellError,
    CsvRejected,
    CsvTable,
    RowError,
    decode_csv,
    read_csv,
    read_text_cell,
)
from merchants import services
from merchants.locks import lock_products_by_sku
from merchants.models import Category, Product, ProductImport
from merchants.selectors import categories_by_slug
from merchants.storefront_changes import StorefrontChange, announce_on_commit
from merchants.storefront_urls import declared_domains, domain_problem, url_problem

COLUMNS = services.PRODUCT_FIELDS
REQUIRED_COLUMNS = ("sku", "title", "category", "price", "storefront_url")
CHECK_CHUNK = 500
WRITE_BATCH = 500
UPDATE_BATCH = 250  # bulk_update's CASE grows with the batch; 250 measured faster than 500
DEFAULTS = {"brand": "", "stock": 0, "sample_stock": 0, "image_url": "", "status": "draft"}
WHOLE_NUMBER = re.compile(r"[+-]?\d+")
URL = URLValidator(schemes=["http", "https"])


@dataclass
class ImportResult:
    created: int
    updated: int


@dataclass
class ProductRow:
    line: int
    values: dict[str, Any]


def text_reader(max_length: int, *, required: bool) -> Callable[[str, Any], str]:
    def read(cell: str, _categories: Any) -> str:
        return read_text_cell(cell, max_length=max_length, required=required)

    return read


def url_reader(*, required: bool, storefront: bool = False) -> Callable[[str, Any], str]:
    read_text = text_reader(500, required=required)

    def read(cell: str, categories: Any) -> str:
        value = read_text(cell, categories)
        if value:
            try:
                URL(value)
            except ValidationError as exc:
                message = _("Enter a full web address starting with http:// or https://.")
                raise CellError(message) from exc
            problem = url_problem(value) if storefront else ""
            if problem:
                raise CellError(problem)
        return value

    return read


def read_price(cell: str, _categories: Any) -> Decimal:
    value = cell.strip()
    if not value:
        raise CellError(_("This value is required."))
    try:
        price = Decimal(value)
    except InvalidOperation as exc:
        raise CellError(_("Enter a price such as 199.00.")) from exc
    if not price.is_finite():
        raise CellError(_("Enter a price such as 199.00."))
    problem = services.price_problem(price)
    if problem:
        raise CellError(problem)
    if price != price.quantize(Decimal("0.01")):
        raise CellError(_("Use at most 2 decimal places."))
    return price.quantize(Decimal("0.01"))


def units_reader(field: str) -> Callable[[str, Any], int]:
    def read(cell: str, _categories: Any) -> int:
        value = cell.strip()
        if not WHOLE_NUMBER.fullmatch(value):
            raise CellError(_("Enter a whole number, 0 or more."))
        problem = services.units_problem(field, int(value))
        if problem:
            raise CellError(problem)
        return int(value)

    return read


def read_category(cell: str, categories: dict[str, Category]) -> Category:
    slug = cell.strip().lower()
    if not slug:
        raise CellError(_("This value is required."))
    if slug not in categories:
        raise CellError(str(services.UNKNOWN_CATEGORY) % {"slug": slug})
    return categories[slug]


def read_status(cell: str, _categories: Any) -> str | None:
    value = cell.strip().lower()
    if value and value not in Product.Status.values:
        raise CellError(_("Use one of: %s.") % ", ".join(Product.Status.values))
    return value or None


READERS: dict[str, Callable[[str, Any], Any]] = {
    "sku": text_reader(64, required=True),
    "title": text_reader(200, required=True),
    "category": read_category,
    "brand": text_reader(100, required=False),
    "price": read_price,
    "stock": units_reader("stock"),
    "sample_stock": units_reader("sample_stock"),
    "storefront_url": url_reader(required=True, storefront=True),
    "image_url": url_reader(required=False),
    "status": read_status,
}


def read_product_csv(text: str) -> CsvTable:
    """Parse the decoded file; a bad header answers at once, before any row is read."""
    table = read_csv(text, columns=COLUMNS, required=REQUIRED_COLUMNS)
    if not table.rows and not table.errors:
        raise CsvRejected([RowError(2, None, _("The file has no products below the header."))])
    return table


def check_row(line: int, cells: dict[str, str], categories: dict[str, Category]) -> ProductRow:
    values, errors = {}, []
    for column, cell in cells.items():
        try:
            values[column] = READERS[column](cell, categories)
        except CellError as problem:
            errors.append(RowError(line, column, problem.message))
    if errors:
        raise CsvRejected(errors)
    return ProductRow(line=line, values=values)


def check_rows(
    table: CsvTable,
    *,
    domains: list[str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[ProductRow]:
    """Every row checked; a SKU seen before is an error on the later line; a storefront
    address outside the merchant's declared ``domains`` is an error. All errors or none."""
    categories = categories_by_slug()
    rows, errors = [], list(table.errors)
    first_line: dict[str, int] = {}
    for start in range(0, len(table.rows), CHECK_CHUNK):
        for line, cells in table.rows[start : start + CHECK_CHUNK]:
            try:
                row = check_row(line, cells, categories)
            except CsvRejected as rejected:
                errors.extend(rejected.errors)
                continue
            sku = row.values["sku"]
            outside = domain_problem(row.values["storefront_url"], domains or [])
            if outside:
                errors.append(RowError(line, "storefront_url", outside))
                continue
            if sku in first_line:
                message = _("This SKU is already on line %(line)d.") % {"line": first_line[sku]}
                errors.append(RowError(line, "sku", message))
                continue
            first_line[sku] = line
            rows.append(row)
        if on_progress:
            on_progress(min(start + CHECK_CHUNK, len(table.rows)))
    if errors:
        raise CsvRejected(sorted(errors, key=lambda error: error.line))
    return rows


def lock_existing(merchant: Organisation, skus: list[str]) -> dict[str, Product]:
    """The merchant's products with these SKUs by SKU, locked against concurrent edits."""
    return {product.sku: product for product in lock_products_by_sku(merchant=merchant, skus=skus)}


def apply_row(product: Product, values: dict[str, Any]) -> set[str]:
    """Copy the row onto an existing product; the names of the fields that changed."""
    changed = set()
    for field, value in values.items():
        if field == "category":
            if product.category_id != value.pk:
                product.category = value
                changed.add(field)
        elif value is not None and getattr(product, field) != value:
            setattr(product, field, value)
            changed.add(field)
    return changed


def new_product(merchant: Organisation, values: dict[str, Any]) -> Product:
    fields = {**DEFAULTS, **{field: value for field, value in values.items() if value is not None}}
    return Product(merchant=merchant, **fields)


@dataclass
class Writes:
    """What an import writes: new products, changed existing ones (locked), the fields that
    changed anywhere, and the storefront addresses that changed."""

    to_create: list[Product] = dataclasses.field(default_factory=list)
    to_update: list[Product] = dataclasses.field(default_factory=list)
    fields: set[str] = dataclasses.field(default_factory=set)
    moves: list[StorefrontChange] = dataclasses.field(default_factory=list)


def plan_writes(merchant: Organisation, rows: list[ProductRow]) -> Writes:
    existing = lock_existing(merchant, [row.values["sku"] for row in rows])
    writes = Writes()
    now = timezone.now()
    for row in rows:
        product = existing.get(row.values["sku"])
        if product is None:
            writes.to_create.append(new_product(merchant, row.values))
            continue
        old_url = product.storefront_url
        if changed := apply_row(product, row.values):
            product.updated_at = now
            writes.to_update.append(product)
            writes.fields |= changed
        if "storefront_url" in changed:
            writes.moves.append(StorefrontChange(product.pk, old_url, product.storefront_url))
    return writes


def update_changed(products: list[Product], fields: set[str]) -> None:
    """bulk_update only the columns that changed somewhere (its CASE per column is the slow
    part, and stock-only files are the common case); updated_at is one value for all."""
    if not products:
        return
    Product.objects.bulk_update(products, sorted(fields), batch_size=UPDATE_BATCH)
    now = products[0].updated_at
    for start in range(0, len(products), WRITE_BATCH):
        ids = [product.pk for product in products[start : start + WRITE_BATCH]]
        Product.objects.filter(pk__in=ids).update(updated_at=now)


def write_rows(*, merchant: Organisation, rows: list[ProductRow]) -> ImportResult:
    """All rows land in one transaction or none do: existing SKUs update, the others create.

    Unchanged products are not written and not counted as updated.
    """
    try:
        with transaction.atomic():
            writes = plan_writes(merchant, rows)
            Product.objects.bulk_create(writes.to_create, batch_size=WRITE_BATCH)
            update_changed(writes.to_update, writes.fields)
            if {"storefront_url", "status"} & writes.fields:
                generations.bump_on_commit(generations.PROMOTION)
            announce_on_commit(writes.moves)
    except IntegrityError as exc:
        error = services.product_integrity_error(exc)
        message = _("%(problem)s Another upload or edit changed these products; try again.")
        problem = RowError(None, error.field, message % {"problem": error.message})
        raise CsvRejected([problem]) from exc
    return ImportResult(created=len(writes.to_create), updated=len(writes.to_update))


def import_products(
    *,
    merchant: Organisation,
    by: User | None,
    data: bytes,
    filename: str = "",
    enqueue: Callable[[int], object],
) -> ImportResult | ProductImport:
    """Import a merchant's product CSV: small files at once (all rows or none, every bad row
    reported); larger ones queued as a ProductImport, and ``enqueue(import id)`` (its Celery
    task, passed in) sent after commit."""
    services.check_merchant(merchant)
    text = decode_csv(data)
    table = read_product_csv(text)
    if len(table.rows) <= settings.PRODUCT_IMPORT_SYNC_MAX_ROWS:
        rows = check_rows(table, domains=declared_domains(merchant.pk))
        return write_rows(merchant=merchant, rows=rows)
    return import_jobs.queue(
        ProductImport,
        merchant=merchant,
        by=by,
        filename=filename,
        text=text,
        total_rows=len(table.rows),
        enqueue=enqueue,
    )


def run_product_import(*, import_id: int) -> bool:
    """Run a queued import once (core.import_jobs claims it); False if it was not queued."""
    return import_jobs.run_claimed(
        model=ProductImport, import_id=import_id, process=process_import, finish=finish_import
    )


def process_import(product_import: ProductImport) -> None:
    services.check_merchant(product_import.merchant)
    table = read_product_csv(product_import.content)
    progress = ProductImport.objects.filter(pk=product_import.pk)
    # Outside the write transaction: each chunk's progress is committed at once.
    rows = check_rows(
        table,
        domains=declared_domains(product_import.merchant_id),
        on_progress=lambda done: progress.update(processed_rows=done),
    )
    with transaction.atomic():
        result = write_rows(merchant=product_import.merchant, rows=rows)
        finish_import(product_import.pk, result=result)


def finish_import(
    import_id: int, *, result: ImportResult | None = None, errors: list[dict] | None = None
) -> None:
    """A successful finish commits with the rows."""
    counts = {"created_count": result.created, "updated_count": result.updated} if result else None
    import_jobs.finish(ProductImport, import_id, counts=counts, errors=errors)


def sweep_stalled_imports(*, enqueue: Callable[[int], object]) -> dict[str, int]:
    """Re-send lost messages and put back runs whose worker died (core.import_jobs)."""
    return import_jobs.sweep_stalled(model=ProductImport, enqueue=enqueue)
