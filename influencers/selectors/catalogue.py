"""What a buyer browses: every enrollment it may promote now, filtered and sorted."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet

from accounts.models import Organisation
from influencers.models import OPEN_SAMPLE_STATES, SampleRequest
from matchmaking.selectors.reach import promotable_enrollments
from merchants.models import Category

SORTS = {
    "commission": ("-commission_amount", "-id"),
    "price": ("campaign_price", "id"),
    "-price": ("-campaign_price", "-id"),
    "newest": ("-reviewed_at", "-id"),
    "stock": ("-promotion_stock", "-id"),
}


@dataclass(frozen=True)
class CatalogueFilters:
    category: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    min_commission_rate: Decimal | None = None
    min_stock: int | None = None
    campaign: int | None = None
    search: str | None = None
    sort: str = "commission"


def category_with_children(slug: str) -> list[int]:
    ids = list(
        Category.objects.filter(Q(slug=slug) | Q(parent__slug=slug)).values_list("pk", flat=True)
    )
    return ids


def catalogue(*, buyer: Organisation, filters: CatalogueFilters) -> QuerySet:
    """Promotable enrollments with the commission in money and the buyer's open sample."""
    open_sample = SampleRequest.objects.filter(
        buyer=buyer, enrollment=OuterRef("pk"), status__in=OPEN_SAMPLE_STATES
    )
    rows = (
        promotable_enrollments(buyer=buyer)
        .select_related("product__category", "campaign__provider")
        .annotate(
            commission_amount=ExpressionWrapper(
                F("campaign_price") * F("commission_rate"),
                output_field=DecimalField(max_digits=14, decimal_places=6),
            ),
            has_open_sample=Exists(open_sample),
        )
    )
    if filters.category:
        rows = rows.filter(product__category_id__in=category_with_children(filters.category))
    if filters.min_price is not None:
        rows = rows.filter(campaign_price__gte=filters.min_price)
    if filters.max_price is not None:
        rows = rows.filter(campaign_price__lte=filters.max_price)
    if filters.min_commission_rate is not None:
        rows = rows.filter(commission_rate__gte=filters.min_commission_rate)
    if filters.min_stock is not None:
        rows = rows.filter(promotion_stock__gte=filters.min_stock)
    if filters.campaign:
        rows = rows.filter(campaign_id=filters.campaign)
    if filters.search:
        rows = rows.filter(
            Q(product__title__icontains=filters.search)
            | Q(product__brand__icontains=filters.search)
        )
    return rows.order_by(*SORTS.get(filters.sort, SORTS["commission"]))
