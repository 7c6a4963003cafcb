"""Merchants' product writes: list, edit and archive products.

The product rules live here and are shared by the API serializer, the portal
form and the CSV import (merchants/csv_import.py): the SKU is unique within a
merchant, the price is above 0, stock and sample stock never go negative. The
database holds the same rules as constraints; a write that loses a race to
another one is mapped back to the same field message.
"""

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, Role
from core.errors import Conflict, DomainError, Forbidden, ensure
from merchants.models import Product

PRODUCT_FIELDS = (
    "sku",
    "title",
    "category",
    "brand",
    "price",
    "stock",
    "sample_stock",
    "storefront_url",
    "image_url",
    "status",
)
MAX_UNITS = 2_147_483_647
MAX_PRICE = Decimal("9999999999.99")

SKU_TAKEN = gettext_lazy("A product with this SKU already exists.")
STOCK_NEGATIVE = gettext_lazy("Stock cannot be negative.")
SAMPLE_STOCK_NEGATIVE = gettext_lazy("Sample stock cannot be negative.")
PRICE_NOT_POSITIVE = gettext_lazy("The price must be greater than 0.")
PRICE_TOO_LARGE = gettext_lazy("The price is too large.")
UNITS_TOO_LARGE = gettext_lazy("This number is too large.")
UNKNOWN_CATEGORY = gettext_lazy('Unknown category "%(slug)s".')

NEGATIVE_UNITS = {"stock": STOCK_NEGATIVE, "sample_stock": SAMPLE_STOCK_NEGATIVE}

# Constraint names (PostgreSQL and SQLite CHECK) or SQLite's column list for the unique index.
CONSTRAINT_FIELDS = [
    (("product_sku_unique_per_merchant", "merchants_product.sku"), "sku", SKU_TAKEN),
    (("product_stock_not_negative",), "stock", STOCK_NEGATIVE),
    (("product_sample_stock_not_negative",), "sample_stock", SAMPLE_STOCK_NEGATIVE),
    (("product_price_positive",), "price", PRICE_NOT_POSITIVE),
]


def price_problem(price: Decimal) -> str | None:
    if price <= 0:
        return str(PRICE_NOT_POSITIVE)
    if price > MAX_PRICE:
        return str(PRICE_TOO_LARGE)
    return None


def units_problem(field: str, units: int) -> str | None:
    if units < 0:
        return str(NEGATIVE_UNITS[field])
    if units > MAX_UNITS:
        return str(UNITS_TOO_LARGE)
    return None


def check_merchant(merchant: Organisation | None) -> Organisation:
    ensure(
        merchant is not None and merchant.role == Role.MERCHANT,
        Forbidden(_("Only merchants have products.")),
    )
    ensure(merchant.is_active, Forbidden(_("Your organisation is not active, so it cannot write.")))
    return merchant


def check_product(product: Product) -> None:
    """Price above 0; stock and sample stock whole numbers, never negative."""
    problem = price_problem(product.price)
    ensure(problem is None, DomainError(problem or "", field="price"))
    for field in NEGATIVE_UNITS:
        problem = units_problem(field, getattr(product, field))
        ensure(problem is None, DomainError(problem or "", field=field))


def product_integrity_error(exc: IntegrityError) -> DomainError:
    """The database refused a write that passed our checks: a concurrent write won the race."""
    text = str(exc)
    for names, field, message in CONSTRAINT_FIELDS:
        if any(name in text for name in names):
            return DomainError(str(message), field=field)
    return DomainError(_("The product could not be saved. Check the values and try again."))


def save_checked(product: Product, **save_options: Any) -> None:
    check_product(product)
    try:
        with transaction.atomic():
            product.save(**save_options)
    except IntegrityError as exc:
        raise product_integrity_error(exc) from exc


def create_product(*, merchant: Organisation, values: dict[str, Any]) -> Product:
    """An active merchant lists a product under a SKU it has not used yet."""
    check_merchant(merchant)
    ensure(set(values) <= set(PRODUCT_FIELDS), DomainError(_("Unknown product field.")))
    product = Product(merchant=merchant, **values)
    save_checked(product)  # its own transaction
    return product


def update_product(*, product_id: int, merchant: Organisation, changes: dict[str, Any]) -> Product:
    """A merchant edits its own product; the same rules as on creation hold."""
    check_merchant(merchant)
    ensure(set(changes) <= set(PRODUCT_FIELDS), DomainError(_("Unknown product field.")))
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product_id, merchant=merchant)
        for field, value in changes.items():
            setattr(product, field, value)
        save_checked(product)
    return product


def archive_product(*, product_id: int, merchant: Organisation) -> Product:
    """Archive instead of delete: enrollments and orders keep pointing at the product."""
    check_merchant(merchant)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product_id, merchant=merchant)
        ensure(
            product.status != Product.Status.ARCHIVED,
            Conflict(_("This product is already archived.")),
        )
        product.status = Product.Status.ARCHIVED
        product.save(update_fields=["status", "updated_at"])
    return product
