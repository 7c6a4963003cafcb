"""Rate history of enrollments and the effective rate at a moment.

A commission decrease reaches buyers already promoting the item 30 days
later; new promoters and increases get the new rate at once. Each change is a
row of ``EnrollmentRate`` with the two moments it takes effect, so the rate
for an order is one indexed query.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q, Subquery

from matchmaking.models import ChangeRequest, Enrollment, EnrollmentRate

DECREASE_NOTICE = timedelta(days=30)


@dataclass(frozen=True)
class Rates:
    commission_rate: Decimal
    service_fee_rate: Decimal


def record_initial_rate(*, enrollment: Enrollment, at: datetime) -> EnrollmentRate:
    """Called inside the approval's transaction: the approved rate holds from approval on."""
    return EnrollmentRate.objects.create(
        enrollment=enrollment,
        commission_rate=enrollment.commission_rate,
        service_fee_rate=enrollment.service_fee_rate,
        effective_at=at,
        effective_for_existing_at=at,
    )


def record_rate_change(
    *,
    enrollment: Enrollment,
    commission_rate: Decimal,
    service_fee_rate: Decimal,
    at: datetime,
    change_request: ChangeRequest | None = None,
) -> EnrollmentRate:
    """Called inside the caller's transaction with the enrollment row locked."""
    rate = EnrollmentRate.objects.create(
        enrollment=enrollment,
        commission_rate=commission_rate,
        service_fee_rate=service_fee_rate,
        effective_at=at,
        effective_for_existing_at=reaches_existing_promoters_at(
            enrollment=enrollment, commission_rate=commission_rate, at=at
        ),
        change_request=change_request,
    )
    enrollment.commission_rate = commission_rate
    enrollment.service_fee_rate = service_fee_rate
    enrollment.save(update_fields=["commission_rate", "service_fee_rate", "updated_at"])
    return rate


def reaches_existing_promoters_at(
    *, enrollment: Enrollment, commission_rate: Decimal, at: datetime
) -> datetime:
    """When a new commission becomes the rate of every buyer already promoting.

    Each higher rate of the history protects existing promoters for 30 days
    after it stopped being the rate in force. After a decrease that is 30
    days from now; after a decrease and a smaller increase within the notice,
    it is the end of the first decrease's notice, not at once.
    """
    history = list(
        EnrollmentRate.objects.filter(enrollment=enrollment, effective_at__lte=at)
        .order_by("effective_at", "id")
        .values_list("commission_rate", "effective_at")
    )
    if not history:
        history = [(enrollment.commission_rate, at)]
    ends = [effective_at for _, effective_at in history[1:]] + [at]
    reach = at
    for (higher, _), end in zip(history, ends, strict=True):
        if higher > commission_rate:
            reach = max(reach, end + DECREASE_NOTICE)
    return reach


def effective_rate(
    *, enrollment_id: int, at: datetime, promoting_since: datetime | None = None
) -> Rates | None:
    """The rate of an order at ``at`` for a buyer promoting the item since ``promoting_since``.

    A decrease reaches a buyer already promoting only 30 days after it took
    effect, an increase at once: so the buyer is owed the highest commission
    in force at any moment of the last 30 days during which it was already
    promoting. A new promoter (``promoting_since`` omitted) gets the rate in
    force at ``at``. One query: the rows of that window plus the row in force
    at its start, best commission first.
    """
    since = min(promoting_since or at, at)
    window_start = max(since, at - DECREASE_NOTICE)
    rates = EnrollmentRate.objects.filter(enrollment_id=enrollment_id)
    in_force_at_start = (
        rates.filter(effective_at__lte=window_start).order_by("-effective_at", "-id").values("pk")
    )
    row = (
        rates.filter(effective_at__lte=at)
        .filter(Q(effective_at__gt=window_start) | Q(pk=Subquery(in_force_at_start[:1])))
        .order_by("-commission_rate", "-effective_at", "-id")
        .values_list("commission_rate", "service_fee_rate")
        .first()
    )
    return Rates(*row) if row else None
