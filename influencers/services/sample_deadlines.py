"""The beat sweep that enforces sample request deadlines, and bulk approval.

Row locks: influencers.locks and merchants.locks, in the order of docs/architecture.md.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from core.bulk import BulkOutcome, act_on_each
from influencers.locks import lock_due_sample_requests
from influencers.models import SampleRequest
from influencers.selectors.samples import samples_for
from influencers.services.samples import (
    approve_sample_request,
    close,
    notify_buyer,
    notify_merchant,
    release_unit,
)
from merchants.locks import lock_products

Status = SampleRequest.Status
BATCH = 200

# (state, deadline column, state it moves to when the deadline passes, the reason recorded)
DEADLINES = [
    (Status.REQUESTED, "approve_by", Status.OVERDUE, _lazy("Not approved within 3 days.")),
    (Status.APPROVED, "ship_by", Status.OVERDUE, _lazy("Not shipped within 5 days.")),
    (Status.RECEIVED, "fulfil_by", Status.UNFULFILLED, _lazy("Not taken live in time.")),
]


def sweep_late_sample_requests() -> dict[str, int]:
    """Move every request past its deadline; a second run, or a second worker, finds nothing."""
    moved = {}
    for state, deadline, target, reason in DEADLINES:
        moved[f"{state}->{target}"] = sweep_one_deadline(state, deadline, target, str(reason))
    return moved


def sweep_one_deadline(state: str, deadline: str, target: str, reason: str) -> int:
    total = 0
    while True:
        with transaction.atomic():
            late = lock_due_sample_requests(
                status=state, deadline=deadline, now=timezone.now(), limit=BATCH
            )
            # The units go back to their products, locked first in the lock order (by id), so
            # two sweepers releasing units of the same products cannot deadlock.
            lock_products(s.enrollment.product_id for s in late if s.unit_reserved)
            for sample in late:
                release_unit(sample=sample)
                close(sample, target, reason=reason)
                tell_both_sides(sample, target)
        total += len(late)
        if len(late) < BATCH:
            return total


def tell_both_sides(sample: SampleRequest, target: str) -> None:
    if target == Status.UNFULFILLED:
        notify_buyer(
            sample, "sample.unfulfilled", _("The sample of %(title)s was not taken live in time.")
        )
    else:
        notify_buyer(
            sample,
            "sample.overdue",
            _("The merchant did not answer your sample request for %(title)s in time."),
        )
        notify_merchant(
            sample, "sample.overdue", _("The sample request of %(buyer)s for %(title)s is overdue.")
        )


def bulk_approve_sample_requests(*, request_ids: list[int], by: User) -> BulkOutcome:
    """Approve each in its own transaction (core.bulk), in id order, so one refused request
    does not stop the rest; a request the caller cannot see is refused "Not found."."""
    visible = set(
        samples_for(organisation=by.organisation)
        .filter(pk__in=request_ids)
        .values_list("pk", flat=True)
    )
    return act_on_each(
        sorted(set(request_ids)),
        lambda pk: approve_sample_request(request_id=pk, by=by),
        visible=visible,
    )
