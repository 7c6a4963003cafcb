"""Row locks on matchmaking's tables. Every transaction takes its locks in the one order of
docs/architecture.md "Lock order"; a helper only locks (callers check rules and rights).

Helpers that select related rows lock the row itself only (``of=("self",)``): a campaign,
product or organisation read along is not locked with it.
"""

from datetime import datetime

from django.db.models import QuerySet

from accounts.models import Organisation
from matchmaking.models import (
    Assortment,
    Campaign,
    ChangeRequest,
    Enrollment,
    MatchProposal,
    RosterMembership,
)

ENROLLMENT_RELATED = ("campaign__provider", "product__merchant", "product__category__parent")


def lock_campaign(campaign_id: int, *, provider: Organisation | None) -> Campaign:
    """The provider's own campaign, locked FOR UPDATE, as a draft may be deleted under it
    (another provider's answers DoesNotExist, a 404)."""
    return Campaign.objects.select_for_update().get(pk=campaign_id, provider=provider)


def lock_campaigns(campaigns: QuerySet[Campaign]) -> list[Campaign]:
    """These campaigns (the rows only), locked in ascending id."""
    return list(campaigns.select_for_update(no_key=True, of=("self",)).order_by("pk"))


def lock_enrollment(enrollment_id: int) -> Enrollment:
    """The enrollment, locked, with its campaign and product (not locked)."""
    return (
        Enrollment.objects.select_for_update(no_key=True, of=("self",))
        .select_related(*ENROLLMENT_RELATED)
        .get(pk=enrollment_id)
    )


def lock_enrollments(enrollments: QuerySet[Enrollment]) -> list[Enrollment]:
    """These enrollments (the rows only), locked in ascending id: a first level before its
    re-offers, whose ids are higher."""
    return list(enrollments.select_for_update(no_key=True, of=("self",)).order_by("pk"))


def lock_enrollments_with_due_change_requests(
    *, cutoff: datetime, limit: int
) -> list[tuple[int, int]]:
    """Up to ``limit`` approved enrollments with a change request pending since ``cutoff`` or
    before, locked in ascending id, as (enrollment id, change request id); enrollments another
    transaction holds are skipped (SKIP LOCKED), not waited for."""
    return list(
        Enrollment.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
        .filter(
            status=Enrollment.Status.APPROVED,
            change_requests__status=ChangeRequest.Status.PENDING,
            change_requests__created_at__lte=cutoff,
        )
        .order_by("pk")
        .values_list("pk", "change_requests__pk")[:limit]
    )


def lock_change_request(change_request_id: int) -> tuple[Enrollment, ChangeRequest]:
    """The change request and its enrollment, both locked: the enrollment first."""
    enrollment_id = (
        ChangeRequest.objects.filter(pk=change_request_id)
        .values_list("enrollment_id", flat=True)
        .get()
    )
    enrollment = lock_enrollment(enrollment_id)
    change_request = ChangeRequest.objects.select_for_update(no_key=True).get(pk=change_request_id)
    change_request.enrollment = enrollment
    return enrollment, change_request


def lock_membership(membership_id: int) -> RosterMembership:
    """The roster membership, locked."""
    return RosterMembership.objects.select_for_update(no_key=True).get(pk=membership_id)


def lock_active_membership(*, provider_id: int, buyer_id: int) -> RosterMembership | None:
    """The pair's active roster membership, locked (its buyer read along, not locked)."""
    return (
        RosterMembership.objects.select_for_update(no_key=True, of=("self",))
        .select_related("buyer")
        .filter(provider_id=provider_id, buyer_id=buyer_id, status=RosterMembership.Status.ACTIVE)
        .first()
    )


def lock_active_memberships(*, provider_id: int, buyer_ids: list[int]) -> list[RosterMembership]:
    """The provider's active roster memberships of these buyers, locked in ascending id."""
    return list(
        RosterMembership.objects.select_for_update(no_key=True)
        .filter(
            provider_id=provider_id,
            buyer_id__in=buyer_ids,
            status=RosterMembership.Status.ACTIVE,
        )
        .order_by("pk")
    )


def lock_assortment(assortment_id: int) -> Assortment | None:
    """The assortment, locked FOR UPDATE, as it may be deleted under it; None if there is none."""
    return Assortment.objects.select_for_update().filter(pk=assortment_id).first()


def lock_assortment_named(*, provider_id: int, name: str) -> Assortment | None:
    """The provider's first assortment of this name, locked; None if there is none."""
    return (
        Assortment.objects.select_for_update(no_key=True)
        .filter(provider_id=provider_id, name=name)
        .order_by("pk")
        .first()
    )


def lock_proposal(proposal_id: int) -> MatchProposal:
    """The proposal, locked, with its provider, buyer and enrollment's product (not locked)."""
    return (
        MatchProposal.objects.select_for_update(no_key=True, of=("self",))
        .select_related("provider", "buyer", "enrollment__product")
        .get(pk=proposal_id)
    )
