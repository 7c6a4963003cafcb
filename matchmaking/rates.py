"""Rate history of enrollments and the effective rate at a moment.

A commission decrease reaches buyers already promoting the item 30 days
later; new promoters and increases get the new rate at once. Each change is a
row of ``EnrollmentRate`` with the two moments it takes effect, so the rate
for an order is one indexed query.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q

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
    decrease = commission_rate < enrollment.commission_rate
    rate = EnrollmentRate.objects.create(
        enrollment=enrollment,
        commission_rate=commission_rate,
        service_fee_rate=service_fee_rate,
        effective_at=at,
        effective_for_existing_at=at + DECREASE_NOTICE if decrease else at,
        change_request=change_request,
    )
    enrollment.commission_rate = commission_rate
    enrollment.service_fee_rate = service_fee_rate
    enrollment.save(update_fields=["commission_rate", "service_fee_rate", "updated_at"])
    return rate


def effective_rate(
    *, enrollment_id: int, at: datetime, promoting_since: datetime | None = None
) -> Rates | None:
    """The rate of an order at ``at`` for a buyer promoting the item since ``promoting_since``.

    A rate row applies to that buyer if the buyer started after the row took
    effect (a new promoter), or once the row reached existing promoters.
    """
    since = min(promoting_since or at, at)
    row = (
        EnrollmentRate.objects.filter(enrollment_id=enrollment_id)
        .filter(Q(effective_at__lte=since) | Q(effective_for_existing_at__lte=at))
        .order_by("-effective_at", "-id")
        .values_list("commission_rate", "service_fee_rate")
        .first()
    )
    return Rates(*row) if row else None
