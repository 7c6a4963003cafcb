"""Racing writers hit the database's guards and get the same field messages (real threads,
PostgreSQL)."""

from decimal import Decimal

import pytest

from core.csv_upload import CsvRejected
from core.errors import DomainError
from merchants import csv_import, services
from merchants.models import Product
from merchants.tasks import run_product_import
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import category
from tests.merchants.conftest import csv_text, generated_rows

pytestmark = pytest.mark.skipif(
    not uses_postgresql(), reason="row locks need PostgreSQL (bash .ci/run uses it)"
)

WRITERS = 6


def refusals_by_field(outcomes: list) -> list:
    """Each domain refusal as "refused <field>"; anything else as it came."""
    return [
        f"refused {outcome.field}" if isinstance(outcome, DomainError) else outcome
        for outcome in outcomes
    ]


def test_racing_creates_of_one_sku_leave_one_product(transactional_db, merchant):
    org = merchant.organisation
    values = {
        "sku": "RACE-1",
        "title": "Linen dress",
        "category": category("dresses"),
        "price": Decimal("199.00"),
        "storefront_url": "https://shop.example.com/1",
    }

    outcomes = refusals_by_field(
        run_together(*[lambda: services.create_product(merchant=org, values=values).sku] * WRITERS)
    )

    assert sorted(outcomes) == ["RACE-1"] + ["refused sku"] * (WRITERS - 1)
    assert Product.objects.filter(merchant=org, sku="RACE-1").count() == 1


def test_racing_imports_of_the_same_file_never_duplicate(transactional_db, merchant):
    org = merchant.organisation
    data = csv_text(generated_rows(300)).encode()

    def run_import() -> str:
        try:
            result = csv_import.import_products(
                merchant=org, by=merchant, data=data, enqueue=run_product_import.delay
            )
        except CsvRejected as rejected:
            return f"refused {rejected.errors[0].field}"
        return f"created {result.created}"

    outcomes = refusals_by_field(run_together(*[run_import] * WRITERS))

    assert "created 300" in outcomes
    assert set(outcomes) <= {"created 300", "created 0", "refused sku"}
    assert Product.objects.filter(merchant=org).count() == 300
