"""Throughput of the product CSV import against a bare bulk_create of the same rows.

    .venv/bin/python bench/bench_product_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/market .venv/bin/python \
        bench/bench_product_import.py

Uses DATABASE_URL when set (unset: the SQLite db.sqlite3), which must be migrated.
It creates a throwaway merchant and, for 10,000 and 100,000 generated rows (or the sizes
given as arguments), times:
- the real import service, merchants.csv_import.import_products, on the CSV bytes
  (decode, parse, check every row, write in one transaction; above
  PRODUCT_IMPORT_SYNC_MAX_ROWS it queues a ProductImport and the task runs
  in-process, since REDIS_URL is ignored here so Celery is eager);
- a re-import of the same file with every stock changed (the update path);
- the baseline: Product.objects.bulk_create of the same rows as ready-made objects,
  for a second throwaway merchant.
It prints rows per second and the ratio, and deletes everything it created.
"""

import csv
import io
import os
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("REDIS_URL", None)  # Celery eager: the import task runs in this process

import django

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import Organisation, Role  # noqa: E402
from merchants import csv_import  # noqa: E402
from merchants.models import Category, Product, ProductImport  # noqa: E402
from merchants.tasks import run_product_import  # noqa: E402

# The issue asks for 10,000 and 100,000; pass other sizes as arguments: ... 1000 5000
SIZES = tuple(int(arg) for arg in sys.argv[1:]) or (10_000, 100_000)
SLUGS = ("dresses", "tops", "knitwear", "kitchen", "bedding", "necklaces", "handbags")


def generated_rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "sku": f"BENCH-{n:06d}",
            "title": f"Benchmark item {n}",
            "category": SLUGS[n % len(SLUGS)],
            "brand": "Bench",
            "price": f"{10 + n % 500}.90",
            "stock": str(n % 300),
            "sample_stock": str(n % 5),
            "storefront_url": f"https://shop.example.com/item/{n}",
            "image_url": f"https://img.example.com/{n}.jpg",
            "status": "active",
        }
        for n in range(count)
    ]


def as_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(csv_import.COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def as_products(merchant: Organisation, rows: list[dict[str, str]]) -> list[Product]:
    categories = {category.slug: category for category in Category.objects.all()}
    return [
        Product(
            merchant=merchant,
            sku=row["sku"],
            title=row["title"],
            category=categories[row["category"]],
            brand=row["brand"],
            price=Decimal(row["price"]),
            stock=int(row["stock"]),
            sample_stock=int(row["sample_stock"]),
            storefront_url=row["storefront_url"],
            image_url=row["image_url"],
            status=row["status"],
        )
        for row in rows
    ]


def timed_import(merchant: Organisation, data: bytes) -> tuple[float, str]:
    started = time.perf_counter()
    outcome = csv_import.import_products(
        merchant=merchant, by=None, data=data, filename="b.csv", enqueue=run_product_import.delay
    )
    elapsed = time.perf_counter() - started
    if isinstance(outcome, ProductImport):
        outcome.refresh_from_db()
        assert outcome.status == "succeeded", outcome.errors[:3]
        return elapsed, f"task: {outcome.created_count} created, {outcome.updated_count} updated"
    return elapsed, f"in request: {outcome.created} created, {outcome.updated} updated"


def measure(size: int, merchant: Organisation, baseline: Organisation) -> None:
    rows = generated_rows(size)
    created, how = timed_import(merchant, as_csv(rows))
    for row in rows:
        row["stock"] = str(int(row["stock"]) + 1)
    updated, how_updated = timed_import(merchant, as_csv(rows))

    products = as_products(baseline, rows)
    started = time.perf_counter()
    Product.objects.bulk_create(products, batch_size=csv_import.WRITE_BATCH)
    bare = time.perf_counter() - started

    print(f"{size:>6} rows")
    for label, seconds, note in [
        ("import, all new", created, how),
        ("import, stock changed", updated, how_updated),
        ("bare bulk_create", bare, ""),
    ]:
        print(f"  {label:<22} {size / seconds:>9,.0f} rows/s {seconds:7.2f} s  {note}")
    print(f"  ratio: the import of new rows takes {created / bare:.1f}x the bare bulk_create time")
    Product.objects.filter(merchant__in=[merchant, baseline]).delete()


def throwaway_merchant(name: str) -> Organisation:
    return Organisation.objects.create(
        name=name, role=Role.MERCHANT, status=Organisation.Status.ACTIVE
    )


def main() -> None:
    tag = uuid.uuid4().hex[:8]
    merchant = throwaway_merchant(f"bench-import-{tag}")
    baseline = throwaway_merchant(f"bench-baseline-{tag}")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    try:
        for size in SIZES:
            measure(size, merchant, baseline)
    finally:
        Product.objects.filter(merchant__in=[merchant, baseline]).delete()
        ProductImport.objects.filter(merchant=merchant).delete()
        Organisation.objects.filter(pk__in=[merchant.pk, baseline.pk]).delete()


if __name__ == "__main__":
    main()
