"""A product's storefront address changed (merchants.storefront_changes): its enrollments follow.

Rules (issue 14): a move to another host sends the product's approved enrollments back to
review, with the reason shown to the provider; their links keep the reviewed address until the
provider approves again, and meanwhile earn nothing (not approved). A change within the same
host is the same shop: links follow the new page at once.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import generations
from core.notifications import notify
from matchmaking.locks import lock_enrollments
from matchmaking.models import Enrollment
from merchants.storefront_changes import StorefrontChange
from merchants.storefront_urls import host_of, moved_host

Status = Enrollment.Status


def follow_storefront_changes(changes: list[StorefrontChange]) -> None:
    """Each product's approved enrollments (all of them locked at once, in the lock order):
    same host -> the new address reviewed as is; another host -> back to review (pending,
    reason ``storefront_changed``)."""
    with transaction.atomic():
        locked = lock_enrollments(
            Enrollment.objects.select_related("campaign__provider", "product").filter(
                product_id__in={change.product_id for change in changes}, status=Status.APPROVED
            )
        )
        for change in sorted(changes, key=lambda item: item.product_id):
            # A product's second change finds what its first one left approved.
            approved = [
                enrollment
                for enrollment in locked
                if enrollment.product_id == change.product_id
                and enrollment.status == Status.APPROVED
            ]
            if moved_host(change.old_url, change.new_url):
                send_back_to_review(approved, change)
            else:
                Enrollment.objects.filter(pk__in=[e.pk for e in approved]).update(
                    reviewed_storefront_url=change.new_url, updated_at=timezone.now()
                )
        generations.bump_on_commit(generations.PROMOTION)


def send_back_to_review(enrollments: list[Enrollment], change: StorefrontChange) -> None:
    now = timezone.now()
    note = _(
        "The storefront moved from %(old)s to %(new)s; links lead to %(old)s until you "
        "approve the new address."
    ) % {"old": host_of(change.old_url), "new": host_of(change.new_url)}
    for enrollment in enrollments:
        enrollment.status = Status.PENDING
        enrollment.reason, enrollment.reason_text = Enrollment.Reason.STOREFRONT_CHANGED, note
        enrollment.promotion_ended_at = now
        enrollment.save(
            update_fields=["status", "reason", "reason_text", "promotion_ended_at", "updated_at"]
        )
        notify(
            organisation=enrollment.campaign.provider,
            kind="enrollment.storefront_changed",
            message=_("%(title)s: %(note)s") % {"title": enrollment.product.title, "note": note},
        )
