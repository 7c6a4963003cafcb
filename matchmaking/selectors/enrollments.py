"""Reads of enrollments, scoped through ``visible_to``.

An enrollment is visible to its product's merchant, its campaign's provider
and, for a second level, the first level's provider (``organisation_paths``).
"""

from django.db.models import QuerySet

from accounts.models import Organisation
from accounts.scoping import visible_to
from matchmaking.models import Campaign, Enrollment
from merchants.models import Product


def _enrollments() -> QuerySet[Enrollment]:
    return Enrollment.objects.select_related(
        "campaign__provider", "product__merchant", "product__category", "parent__campaign__provider"
    )


def enrollments_for(*, organisation: Organisation | None) -> QuerySet[Enrollment]:
    return visible_to(_enrollments(), organisation)


def review_queue(*, provider: Organisation) -> QuerySet[Enrollment]:
    """Pending enrollments across the provider's own campaigns, oldest first."""
    return (
        enrollments_for(organisation=provider)
        .filter(campaign__provider=provider, status=Enrollment.Status.PENDING)
        .order_by("created_at", "id")
    )


def enrollments_of_campaign(
    *, campaign: Campaign, organisation: Organisation
) -> QuerySet[Enrollment]:
    return enrollments_for(organisation=organisation).filter(campaign=campaign)


def merchant_enrollments(*, merchant: Organisation) -> QuerySet[Enrollment]:
    return enrollments_for(organisation=merchant).filter(product__merchant=merchant)


def enrollable_products(*, merchant: Organisation) -> QuerySet[Product]:
    """The merchant's active products, the only ones it may enroll."""
    return visible_to(Product.objects.select_related("category"), merchant).filter(
        status=Product.Status.ACTIVE
    )
