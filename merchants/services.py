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

from accounts.locks import lock_organisation
from accounts.models import Organisation, Role
from core import generations
from core.errors import Conflict, DomainError, Forbidden, ensure
from merchants.locks import lock_product
from merchants.models import Product, StorefrontDomain
from merchants.storefront_changes import StorefrontChange, announce_on_commit
from merchants.storefront_urls import (
    declared_domains,
    domain_problem,
    host_problem,
    storefront_problem,
)

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
    """Price above 0; stock and sample stock whole numbers, never negative; a storefront
    address shoppers may be sent to (merchants.storefront_urls)."""
    problem = price_problem(product.price)
    ensure(problem is None, DomainError(problem or "", field="price"))
    for field in NEGATIVE_UNITS:
        problem = units_problem(field, getattr(product, field))
        ensure(problem is None, DomainError(problem or "", field=field))
    problem = storefront_problem(product.storefront_url, merchant_id=product.merchant_id)
    ensure(not problem, DomainError(problem, field="storefront_url"))


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
        product = lock_product(product_id, merchant=merchant)
        before = (product.storefront_url, product.status)
        for field, value in changes.items():
            setattr(product, field, value)
        save_checked(product)
        promotion_changed(product, *before)
    return product


def promotion_changed(product: Product, old_url: str, old_status: str) -> None:
    """What links lead to or earn may have changed: redirects look again, and apps above
    follow a new storefront address (merchants.storefront_changes)."""
    if (product.storefront_url, product.status) != (old_url, old_status):
        generations.bump_on_commit(generations.PROMOTION)
    if product.storefront_url != old_url:
        announce_on_commit([StorefrontChange(product.pk, old_url, product.storefront_url)])


def archive_product(*, product_id: int, merchant: Organisation) -> Product:
    """Archive instead of delete: enrollments and orders keep pointing at the product."""
    check_merchant(merchant)
    with transaction.atomic():
        product = lock_product(product_id, merchant=merchant)
        ensure(
            product.status != Product.Status.ARCHIVED,
            Conflict(_("This product is already archived.")),
        )
        product.status = Product.Status.ARCHIVED
        product.save(update_fields=["status", "updated_at"])
        generations.bump_on_commit(generations.PROMOTION)
    return product


# --- storefront domains -------------------------------------------------------------------

MAX_DOMAINS = 50
SHOWN_SKUS = 5


def normalised_domain(text: str) -> str:
    domain = (text or "").strip().lower().rstrip(".")
    domain = domain.removeprefix("https://").removeprefix("http://").split("/")[0]
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise DomainError(_("Enter a host name such as shop.example.com."), field="domain") from exc
    problem = host_problem(domain)
    ensure(not problem, DomainError(problem, field="domain"))
    return domain


def products_outside(merchant: Organisation, domains: list[str]) -> list[str]:
    """SKUs of the merchant's products (not archived) whose address would fall outside."""
    products = Product.objects.filter(merchant=merchant).exclude(status=Product.Status.ARCHIVED)
    return [
        sku
        for sku, url in products.order_by("sku").values_list("sku", "storefront_url")
        if domain_problem(url, domains)
    ]


def ensure_products_within(merchant: Organisation, domains: list[str]) -> None:
    outside = products_outside(merchant, domains)
    ensure(
        not outside,
        DomainError(
            _("These products' addresses would fall outside your storefront domains: %s. "
              "Change their addresses first.")
            % ", ".join(outside[:SHOWN_SKUS] + (["…"] if len(outside) > SHOWN_SKUS else [])),
            field="domain",
        ),
    )  # fmt: skip


def declare_domain(*, merchant: Organisation, domain: str) -> StorefrontDomain:
    """Add a storefront domain. Rule: once a merchant has declared domains, every product
    address must be within them, so the first declaration must cover today's products."""
    check_merchant(merchant)
    domain = normalised_domain(domain)
    with transaction.atomic():
        lock_organisation(merchant.pk)  # one change at a time
        current = declared_domains(merchant.pk)
        ensure(domain not in current, DomainError(_("This domain is declared already."),
                                                  field="domain"))  # fmt: skip
        ensure(
            len(current) < MAX_DOMAINS,
            DomainError(_("At most %d storefront domains.") % MAX_DOMAINS, field="domain"),
        )
        ensure_products_within(merchant, [*current, domain])
        declared = StorefrontDomain.objects.create(merchant=merchant, domain=domain)
        generations.bump_on_commit(generations.PROMOTION)
    return declared


def remove_domain(*, merchant: Organisation, domain_id: int) -> None:
    """Remove a storefront domain, unless products' addresses still need it."""
    check_merchant(merchant)
    with transaction.atomic():
        lock_organisation(merchant.pk)
        declared = StorefrontDomain.objects.get(pk=domain_id, merchant=merchant)
        rest = [d for d in declared_domains(merchant.pk) if d != declared.domain]
        if rest:  # with none left, any public address is allowed again
            ensure_products_within(merchant, rest)
        declared.delete()
        generations.bump_on_commit(generations.PROMOTION)
