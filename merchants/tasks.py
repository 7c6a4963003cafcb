"""Celery tasks of products: thin shells over merchants.csv_import, safe to run twice."""

from celery import shared_task

from merchants import csv_import


@shared_task(name="merchants.tasks.run_product_import")
def run_product_import(import_id: int) -> bool:
    """A large product CSV import; a second run of the same import does nothing."""
    return csv_import.run_product_import(import_id=import_id)


@shared_task(name="merchants.tasks.sweep_stalled_imports")
def sweep_stalled_imports() -> dict[str, int]:
    return csv_import.sweep_stalled_imports(enqueue=run_product_import.delay)
