"""Reads of service providers' buyer rosters, scoped to the caller's organisation."""

from django.db.models import QuerySet

from accounts.models import Organisation, Role
from accounts.scoping import visible_to
from matchmaking.models import RosterMembership

DIRECTORY_LIMIT = 20


def roster_for(
    *, organisation: Organisation | None, status: str = ""
) -> QuerySet[RosterMembership]:
    """Memberships the organisation is a party to (as provider or buyer), newest first."""
    memberships = visible_to(
        RosterMembership.objects.select_related("provider", "buyer", "ended_by"), organisation
    )
    return memberships.filter(status=status) if status else memberships


def buyer_directory(*, search: str = "") -> QuerySet[Organisation]:
    """Active buyer organisations by name, for providers looking for buyers to invite.

    Not scoped by ``visible_to`` on purpose: a buyer's name is public to
    providers, so they can find it. Callers show only ``id`` and ``name``.
    """
    buyers = Organisation.objects.filter(
        role=Role.BUYER, status=Organisation.Status.ACTIVE
    ).order_by("name", "id")
    search = (search or "").strip()
    return buyers.filter(name__icontains=search) if search else buyers


def live_buyer_ids(*, provider: Organisation) -> set[int]:
    """Buyers the provider has invited or has on its roster now (not ended)."""
    return set(
        RosterMembership.objects.filter(
            provider=provider,
            status__in=[RosterMembership.Status.INVITED, RosterMembership.Status.ACTIVE],
        ).values_list("buyer_id", flat=True)
    )


def active_roster_buyers(*, provider: Organisation) -> QuerySet[Organisation]:
    """Buyer organisations on the provider's active roster: whom it may share assortments with."""
    return Organisation.objects.filter(
        role=Role.BUYER,
        providers_roster__provider=provider,
        providers_roster__status=RosterMembership.Status.ACTIVE,
    ).order_by("name", "id")
