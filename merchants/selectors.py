"""Reads of products, categories and imports, scoped to the caller's organisation.

``ProductFilter`` is the one definition of the product list's search, filters
and ordering: the API uses it through django-filter's DRF backend, the portal
list page through ``filtered_products``.
"""

from collections.abc import Iterable, Iterator
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.scoping import visible_to
from merchants.models import Category, Product, ProductImport, StorefrontDomain
from merchants.services import PRODUCT_FIELDS, UNKNOWN_CATEGORY

LOW_STOCK_MAX = 10
STOCK_CHOICES = [
    ("in", _("In stock")),
    ("out", _("Out of stock")),
    ("low", _("Low stock (1 to 10)")),
]
ORDERING_FIELDS = ("updated_at", "price", "stock", "title", "sku")
ORDERING_LABELS = {
    "updated_at": _("Last updated"),
    "price": _("Price"),
    "stock": _("Stock"),
    "title": _("Title"),
    "sku": _("SKU"),
}


def categories() -> list[Category]:
    """Every category once, in tree order: each parent followed by its children."""
    nodes = list(Category.objects.all())
    children: dict[int | None, list[Category]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def walk(parent_id: int | None, depth: int) -> Iterator[Category]:
        for node in children.get(parent_id, []):
            node.depth = depth
            yield node
            yield from walk(node.pk, depth + 1)

    return list(walk(None, 0))


def category_options() -> list[tuple[str, str]]:
    """(slug, name) in tree order, subcategory names indented, for select boxes."""
    return [(node.slug, "\u2003" * node.depth + node.name) for node in categories()]


def categories_by_slug() -> dict[str, Category]:
    return {category.slug: category for category in Category.objects.all()}


def category_tree() -> list[dict[str, Any]]:
    """Root categories with nested children, named in the request's language (one query)."""
    nodes: dict[int, dict[str, Any]] = {}
    roots = []
    for category in categories():
        parent = nodes.get(category.parent_id)
        node = {
            "slug": category.slug,
            "name": category.name,
            "parent": parent["slug"] if parent else None,
            "children": [],
        }
        nodes[category.pk] = node
        (parent["children"] if parent else roots).append(node)
    return roots


def category_and_descendants(slug: str) -> list[int] | None:
    """Ids of the category and everything below it, or None when no such slug exists."""
    tree = categories()
    start = next((node for node in tree if node.slug == slug), None)
    if start is None:
        return None
    ids, wanted = [], {start.pk}
    for node in tree:  # tree order: a parent always comes before its children
        if node.pk in wanted or node.parent_id in wanted:
            wanted.add(node.pk)
            ids.append(node.pk)
    return ids


class CategorySlugField(forms.CharField):
    """A category slug in the query string, cleaned into the ids it covers."""

    def clean(self, value: Any) -> list[int] | None:
        slug = (super().clean(value) or "").strip().lower()
        if not slug:
            return None
        ids = category_and_descendants(slug)
        if ids is None:
            raise forms.ValidationError(str(UNKNOWN_CATEGORY) % {"slug": slug})
        return ids


class CategoryFilter(django_filters.CharFilter):
    field_class = CategorySlugField

    def filter(self, qs: QuerySet, value: list[int] | None) -> QuerySet:
        return qs.filter(category_id__in=value) if value else qs


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ties (same price, same stock) keep a fixed order, so pages never repeat a row."""

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "-pk") if value else qs


class ProductFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=_("Words found in SKU, title or brand."),
    )
    category = CategoryFilter(label=_("Category"), help_text=_("Includes its subcategories."))
    status = django_filters.ChoiceFilter(
        choices=Product.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    stock = django_filters.ChoiceFilter(
        choices=STOCK_CHOICES, method="filter_stock", label=_("Stock"), empty_label=_("Any stock")
    )
    min_stock = django_filters.NumberFilter(
        field_name="stock", lookup_expr="gte", label=_("Stock at least"), min_value=0
    )
    ordering = StableOrderingFilter(
        fields=ORDERING_FIELDS, field_labels=ORDERING_LABELS, label=_("Sort by")
    )

    class Meta:
        model = Product
        fields: list[str] = []

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        for term in value.split():
            qs = qs.filter(
                Q(sku__icontains=term) | Q(title__icontains=term) | Q(brand__icontains=term)
            )
        return qs

    def filter_stock(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == "in":
            return qs.filter(stock__gt=0)
        if value == "out":
            return qs.filter(stock=0)
        if value == "low":
            return qs.filter(stock__gte=1, stock__lte=LOW_STOCK_MAX)
        return qs


def product_queryset() -> QuerySet[Product]:
    return Product.objects.select_related("category")


def products_of(*, merchant: Organisation | None) -> QuerySet[Product]:
    """The merchant's own products; nobody else's are ever visible here."""
    return visible_to(product_queryset(), merchant)


def filtered_products(*, merchant: Organisation | None, params: Any) -> ProductFilter:
    """The merchant's products through ProductFilter; ``.qs`` ignores invalid filter values."""
    return ProductFilter(params, queryset=products_of(merchant=merchant))


def imports_of(*, merchant: Organisation | None) -> QuerySet[ProductImport]:
    return visible_to(ProductImport.objects.defer("content"), merchant)


def product_csv_rows(products: QuerySet[Product]) -> Iterable[list[Any]]:
    """Rows in the import's column order, category by slug, so an export re-imports unchanged."""
    for product in products.iterator(chunk_size=2000):
        yield [
            product.category.slug if field == "category" else getattr(product, field)
            for field in PRODUCT_FIELDS
        ]


def storefront_domains_of(*, merchant: Organisation) -> QuerySet[StorefrontDomain]:
    return visible_to(StorefrontDomain.objects.all(), merchant).order_by("domain")
