from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Organisation, Role
from core.csv_upload import CsvRejected
from core.errors import Conflict, DomainError, Forbidden
from merchants import csv_import, services
from merchants.models import Product
from tests.factories import OrganisationFactory, ProductFactory, category
from tests.merchants.conftest import csv_text, product_row

pytestmark = pytest.mark.django_db


def values(**overrides) -> dict:
    data = {
        "sku": "A-1",
        "title": "Linen dress",
        "category": category("dresses"),
        "price": Decimal("199.00"),
        "stock": 10,
        "sample_stock": 2,
        "storefront_url": "https://shop.example.com/1",
    }
    data.update(overrides)
    return data


def test_a_sku_taken_by_a_concurrent_create_answers_on_the_sku_field(merchant):
    # The service has no pre-check: the unique index decides, as it does in a race.
    org = merchant.organisation
    ProductFactory(merchant=org, sku="A-1")

    with pytest.raises(DomainError) as caught:
        services.create_product(merchant=org, values=values())

    assert (caught.value.field, caught.value.message) == (
        "sku",
        "A product with this SKU already exists.",
    )
    assert Product.objects.filter(merchant=org).count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"stock": -1}, "stock", "Stock cannot be negative."),
        ({"sample_stock": -1}, "sample_stock", "Sample stock cannot be negative."),
        ({"price": Decimal("0")}, "price", "The price must be greater than 0."),
    ],
)
def test_the_database_constraints_map_back_to_field_messages(merchant, change, field, message):
    product = ProductFactory(merchant=merchant.organisation)

    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Product.objects.filter(pk=product.pk).update(**change)  # what a racing write could do
    error = services.product_integrity_error(caught.value)

    assert (error.field, error.message) == (field, message)


def test_update_checks_the_rules_before_writing(merchant):
    product = ProductFactory(merchant=merchant.organisation, stock=4)

    with pytest.raises(DomainError) as caught:
        services.update_product(
            product_id=product.pk, merchant=merchant.organisation, changes={"stock": -2}
        )

    assert caught.value.as_payload() == {"stock": ["Stock cannot be negative."]}
    product.refresh_from_db()
    assert product.stock == 4


def test_archiving_twice_is_a_conflict(merchant):
    product = ProductFactory(merchant=merchant.organisation, status="draft")

    services.archive_product(product_id=product.pk, merchant=merchant.organisation)
    with pytest.raises(Conflict):
        services.archive_product(product_id=product.pk, merchant=merchant.organisation)


def test_only_active_merchants_write_products():
    buyer = OrganisationFactory(role=Role.BUYER)
    suspended = OrganisationFactory(role=Role.MERCHANT, status=Organisation.Status.SUSPENDED)

    for organisation in (buyer, suspended):
        with pytest.raises(Forbidden):
            services.create_product(merchant=organisation, values=values())
    assert not Product.objects.exists()


def test_an_import_that_loses_a_race_for_a_sku_writes_nothing(merchant, monkeypatch):
    org = merchant.organisation
    table = csv_import.read_product_csv(csv_text([product_row(sku="A-1"), product_row(sku="B-1")]))
    rows = csv_import.check_rows(table)
    ProductFactory(merchant=org, sku="B-1")  # created by someone else after our lookup
    monkeypatch.setattr(csv_import, "lock_existing", lambda merchant, skus: {})

    with pytest.raises(CsvRejected) as caught:
        csv_import.write_rows(merchant=org, rows=rows)

    assert caught.value.detail["errors"] == [
        {
            "line": None,
            "field": "sku",
            "message": "A product with this SKU already exists. "
            "Another upload or edit changed these products; try again.",
        }
    ]
    assert list(Product.objects.filter(merchant=org).values_list("sku", flat=True)) == ["B-1"]


def test_bulk_import_writes_in_a_bounded_number_of_queries(merchant, django_assert_max_num_queries):
    org = merchant.organisation
    for n in range(0, 600, 2):
        ProductFactory(merchant=org, sku=f"S-{n:04d}", stock=1)
    rows_in = [product_row(sku=f"S-{n:04d}", stock="9") for n in range(600)]
    table = csv_import.read_product_csv(csv_text(rows_in))
    rows = csv_import.check_rows(table)

    # A few queries per batch of rows (SQLite splits batches by its parameter limit), never
    # one per row.
    with django_assert_max_num_queries(20):
        result = csv_import.write_rows(merchant=org, rows=rows)

    assert (result.created, result.updated) == (300, 300)
    assert set(Product.objects.filter(merchant=org).values_list("stock", flat=True)) == {9}
