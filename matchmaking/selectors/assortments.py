"""Reads of assortments, scoped to the caller: the owning provider and the buyers shared with."""

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import Organisation, Role
from accounts.scoping import visible_to
from matchmaking.models import Assortment, AssortmentItem, Campaign, Enrollment
from matchmaking.selectors.campaigns import effectively
from matchmaking.selectors.promotable import available

OPTIONS_LIMIT = 50


def items_with_details() -> QuerySet[AssortmentItem]:
    return AssortmentItem.objects.select_related(
        "enrollment__product", "enrollment__campaign"
    ).order_by("position", "pk")


def offered(items: QuerySet[AssortmentItem]) -> QuerySet[AssortmentItem]:
    """Items a buyer may be offered: available (approved, product active with stock, promotion
    stock left) in a campaign that is open or ongoing. The provider still sees the others, to
    take them out."""
    live = effectively(
        Campaign.Status.OPEN, Campaign.Status.ONGOING, prefix="enrollment__campaign__"
    )
    return items.filter(available("enrollment__"), live)


def assortments_for(*, organisation: Organisation | None) -> QuerySet[Assortment]:
    """Assortments the organisation owns or that are shared with it, items in order (a buyer
    sees only the items it may be offered now).

    A bounded number of queries whatever the number of assortments and items:
    one for the assortments, one for their buyers, one for items with their
    enrollment, product and campaign.
    """
    items = items_with_details()
    if organisation is not None and organisation.role == Role.BUYER:
        items = offered(items)
    return visible_to(
        Assortment.objects.select_related("provider").prefetch_related(
            Prefetch("buyers", queryset=Organisation.objects.only("id", "name").order_by("name")),
            Prefetch("items", queryset=items),
        ),
        organisation,
    )


def assortment_summaries(*, organisation: Organisation | None) -> QuerySet[Assortment]:
    """The list page: each assortment with how many items and buyers it has."""
    return visible_to(
        Assortment.objects.select_related("provider").annotate(
            item_count=Count("items", distinct=True), buyer_count=Count("buyers", distinct=True)
        ),
        organisation,
    )


def items_of(*, assortment: Assortment) -> QuerySet[AssortmentItem]:
    """The items of an assortment the caller already may see (got through ``assortments_for``)."""
    return items_with_details().filter(assortment=assortment)


def addable_enrollments(
    *, provider: Organisation, assortment: Assortment | None = None, search: str = ""
) -> QuerySet[Enrollment]:
    """Enrollments of the provider's own open or ongoing campaigns that are available (approved,
    product active with stock, promotion stock left), not yet in the assortment.

    Scoped through ``visible_to`` and then narrowed to the provider's own
    campaigns: an enrollment a provider only sees as a second level's parent
    is not its to curate.
    """
    enrollments = visible_to(
        Enrollment.objects.select_related("product", "campaign"), provider
    ).filter(
        available(),
        effectively(Campaign.Status.OPEN, Campaign.Status.ONGOING, prefix="campaign__"),
        campaign__provider=provider,
    )
    if assortment is not None:
        enrollments = enrollments.exclude(assortment_items__assortment=assortment)
    search = (search or "").strip()
    if search:
        enrollments = enrollments.filter(
            Q(product__title__icontains=search)
            | Q(product__sku__icontains=search)
            | Q(campaign__name__icontains=search)
        )
    return enrollments.order_by("product__title", "pk")


def visible_assortments(*, organisation: Organisation | None) -> QuerySet[Assortment]:
    """The bare rows the organisation may see, for pages that load items separately."""
    return visible_to(Assortment.objects.select_related("provider"), organisation)
