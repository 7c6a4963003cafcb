"""Row locks on merchants' tables. Every transaction takes its locks in the one order of
docs/architecture.md "Lock order"; a helper only locks (callers check rules and rights)."""

from collections.abc import Iterable

from accounts.models import Organisation
from merchants.models import Product

CHUNK = 500  # ids or SKUs per statement (SQLite's parameter limit)


def lock_product(product_id: int, *, merchant: Organisation | None = None) -> Product:
    """The product (the merchant's own, when given), locked."""
    products = Product.objects.select_for_update(no_key=True)
    if merchant is not None:
        products = products.filter(merchant=merchant)
    return products.get(pk=product_id)


def lock_products(product_ids: Iterable[int]) -> list[Product]:
    """These products, locked in ascending id."""
    ordered = sorted(set(product_ids))
    locked: list[Product] = []
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        locked += Product.objects.select_for_update(no_key=True).filter(pk__in=chunk).order_by("pk")
    return locked


def lock_products_by_sku(*, merchant: Organisation, skus: Iterable[str]) -> list[Product]:
    """The merchant's products with these SKUs, locked in ascending id like every other product
    lock (found by SKU first, then locked by id; one whose SKU changed meanwhile is left out)."""
    wanted = sorted(set(skus))
    ids: list[int] = []
    for start in range(0, len(wanted), CHUNK):
        found = Product.objects.filter(merchant=merchant, sku__in=wanted[start : start + CHUNK])
        ids += found.values_list("pk", flat=True)
    still = set(wanted)
    return [product for product in lock_products(ids) if product.sku in still]
