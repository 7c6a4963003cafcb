"""State changes of a service provider's buyer roster: invite, accept, end.

A membership goes invited -> active (the buyer accepts) and invited/active ->
ended (either side). One live (invited or active) membership per pair, held
by a partial unique constraint; after an end the provider may invite again.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from core.errors import Conflict, DomainError, Forbidden, ensure
from matchmaking.locks import lock_membership
from matchmaking.models import RosterMembership
from matchmaking.services.assortments import unshare_provider_assortments

LIVE = (RosterMembership.Status.INVITED, RosterMembership.Status.ACTIVE)


def check_active_provider(user: User) -> Organisation:
    organisation = user.organisation
    ensure(
        organisation is not None and organisation.role == Role.PROVIDER,
        Forbidden(_("Only service providers can invite buyers.")),
    )
    ensure(
        organisation.is_active,
        Forbidden(_("Your organisation is pending approval by an operator.")),
    )
    return organisation


def invite_buyer(*, by: User, buyer_id: int) -> RosterMembership:
    """An active provider invites an active buyer organisation it has no live membership with."""
    provider = check_active_provider(by)
    buyer = Organisation.objects.filter(
        pk=buyer_id, role=Role.BUYER, status=Organisation.Status.ACTIVE
    ).first()
    ensure(buyer is not None, DomainError(_("Choose an active buyer organisation."), field="buyer"))
    already = DomainError(_("This buyer is already invited or on your roster."), field="buyer")
    live = RosterMembership.objects.filter(provider=provider, buyer=buyer, status__in=LIVE)
    ensure(not live.exists(), already)
    try:
        with transaction.atomic():
            membership = RosterMembership.objects.create(
                provider=provider, buyer=buyer, invited_by=by
            )
    except IntegrityError as exc:  # a teammate invited the same buyer a moment ago
        raise already from exc
    return membership


def accept_membership(*, membership_id: int, by: User) -> RosterMembership:
    """Only the invited buyer accepts, and only an open invitation (invited -> active)."""
    with transaction.atomic():
        membership = lock_membership(membership_id)
        ensure(
            membership.buyer_id == by.organisation_id,
            Forbidden(_("Only the invited buyer can accept this invitation.")),
        )
        ensure(
            membership.status == RosterMembership.Status.INVITED,
            Conflict(_("Only an open invitation can be accepted.")),
        )
        membership.status = RosterMembership.Status.ACTIVE
        membership.accepted_at = timezone.now()
        membership.save(update_fields=["status", "accepted_at"])
    return membership


def end_membership(*, membership_id: int, by: User) -> RosterMembership:
    """Either side ends an invitation or an active membership (-> ended).

    The provider's assortments stop being shared with the buyer in the same
    transaction: a buyer off the roster sees none of them.
    """
    with transaction.atomic():
        membership = lock_membership(membership_id)
        ensure(
            by.organisation_id in (membership.provider_id, membership.buyer_id),
            Forbidden(_("Only the provider or the buyer can end this membership.")),
        )
        ensure(membership.status in LIVE, Conflict(_("This membership has already ended.")))
        membership.status = RosterMembership.Status.ENDED
        membership.ended_at = timezone.now()
        membership.ended_by_id = by.organisation_id
        membership.save(update_fields=["status", "ended_at", "ended_by"])
        unshare_provider_assortments(
            provider_id=membership.provider_id, buyer_id=membership.buyer_id
        )
    return membership
