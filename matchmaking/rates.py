"""Rates, in one place: how people type and read them, the rules a rate must meet (campaigns,
enrollments, change requests, second levels), and an enrollment's rate history.

Rates are Decimals with four places (0.2000 = 20 %); people type and read percents. A typed
percent becomes a rate rounded half up, as money is, whatever form it came through.

A commission decrease reaches buyers already promoting the item 30 days
later; new promoters and increases get the new rate at once. Each change is a
row of ``EnrollmentRate`` with the two moments it takes effect, so the rate
for an order is one indexed query.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, Subquery
from django.utils.translation import gettext as _

from core.errors import FieldErrors
from matchmaking.models import (
    MAX_CAMPAIGN_SERVICE_FEE,
    MAX_COMMISSION,
    MAX_MIN_COMMISSION,
    MAX_TOTAL_RATE,
    SECOND_LEVEL_SHARE,
    Campaign,
    ChangeRequest,
    Enrollment,
    EnrollmentRate,
)

RATE_PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)

# --- typed and read -------------------------------------------------------------------------


def rate_from_percent(typed: Decimal) -> Decimal:
    """20 -> 0.2000, 8.505 -> 0.0851: a typed percent as a rate, half up to four places."""
    return (Decimal(typed) / HUNDRED).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def plain_percent(rate: Decimal) -> str:
    """0.2000 -> "20", 0.0850 -> "8.5": a rate as the percent inputs take it."""
    return f"{(Decimal(rate) * 100).quantize(Decimal('0.01')).normalize():f}"


def percent(rate: Decimal | None) -> str:
    """0.2000 -> "20 %", 0.0850 -> "8.5 %", None -> "—": rates as people read them."""
    return "—" if rate is None else f"{plain_percent(rate)} %"


# --- the rules ------------------------------------------------------------------------------


def check_campaign_rates(values: dict[str, Any], errors: FieldErrors) -> None:
    """A campaign's minimum commission <= 50 %, service fee <= 40 %, together <= 90 %."""
    commission, fee = values["min_commission_rate"], values["service_fee_rate"]
    errors.check(commission >= 0, "min_commission_rate", _("A rate cannot be negative."))
    errors.check(
        commission <= MAX_MIN_COMMISSION,
        "min_commission_rate",
        _("The minimum commission rate can be at most %s.") % percent(MAX_MIN_COMMISSION),
    )
    errors.check(
        commission + fee <= MAX_TOTAL_RATE,
        "min_commission_rate",
        _("The minimum commission and the service fee together can be at most %s.")
        % percent(MAX_TOTAL_RATE),
    )
    errors.check(fee >= 0, "service_fee_rate", _("A rate cannot be negative."))
    errors.check(
        fee <= MAX_CAMPAIGN_SERVICE_FEE,
        "service_fee_rate",
        _("The service-fee rate can be at most %s.") % percent(MAX_CAMPAIGN_SERVICE_FEE),
    )


def check_enrollment_rates(
    *, campaign: Campaign, commission_rate: Decimal, service_fee_rate: Decimal, errors: FieldErrors
) -> None:
    """An enrollment's (and a change request's) rates: commission at least the campaign's
    minimum and at most 80 %, service fee at least the campaign's and at most 40 %, together
    at most 90 %."""
    commission, fee = commission_rate, service_fee_rate
    errors.check(
        commission >= campaign.min_commission_rate,
        "commission_rate",
        _("The commission rate must be at least %s in this campaign.")
        % percent(campaign.min_commission_rate),
    )
    errors.check(
        commission <= MAX_COMMISSION,
        "commission_rate",
        _("The commission rate can be at most %s.") % percent(MAX_COMMISSION),
    )
    errors.check(
        commission + fee <= MAX_TOTAL_RATE,
        "commission_rate",
        _("Commission and service fee together can be at most %s.") % percent(MAX_TOTAL_RATE),
    )
    errors.check(
        fee >= campaign.service_fee_rate,
        "service_fee_rate",
        _("The service-fee rate must be at least %s in this campaign.")
        % percent(campaign.service_fee_rate),
    )
    errors.check(
        fee <= MAX_CAMPAIGN_SERVICE_FEE,
        "service_fee_rate",
        _("The service-fee rate can be at most %s.") % percent(MAX_CAMPAIGN_SERVICE_FEE),
    )


def second_level_cap(first: Enrollment) -> Decimal:
    """The highest rate a second level may take: 90 % of the first level's, to 4 places."""
    return (first.service_fee_rate * SECOND_LEVEL_SHARE).quantize(RATE_PLACES, rounding=ROUND_DOWN)


def check_second_level_rate(*, first: Enrollment, rate: Decimal, errors: FieldErrors) -> None:
    cap = second_level_cap(first)
    errors.check(
        rate <= cap,
        "service_fee_rate",
        _("A second level's service-fee rate can be at most %(cap)s (90 %% of %(first)s).")
        % {"cap": percent(cap), "first": percent(first.service_fee_rate)},
    )


# --- history --------------------------------------------------------------------------------

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
    ends = [effective_at for _rate, effective_at in history[1:]] + [at]
    reach = at
    for (higher, _moment), end in zip(history, ends, strict=True):
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
