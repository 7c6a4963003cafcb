"""The 30-day rule: a commission decrease reaches buyers already promoting only 30 days later;
increases and new promoters get the new rate at once. Each rate is one query."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from matchmaking.models import EnrollmentRate
from matchmaking.rates import effective_rate
from matchmaking.services.change_requests import accept_change_request, request_change
from tests.matchmaking.test_change_requests_api import NOON, approved_enrollment

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
APPROVED = NOON
PROMOTING_SINCE = APPROVED + DAY  # a buyer who started promoting the day after approval
CHANGED = APPROVED + 10 * DAY  # the first accepted change
NOTICE = timedelta(days=30)


@pytest.fixture
def enrollment(merchant, provider):
    with time_machine.travel(APPROVED, tick=False):
        return approved_enrollment(merchant=merchant, provider=provider, min_commission="0.0500")


@pytest.fixture
def change_rate(merchant, provider):
    """The merchant asks for a new commission and the provider accepts it at ``at``."""

    def change(enrollment, commission: str, *, at: datetime) -> EnrollmentRate:
        with time_machine.travel(at, tick=False):
            change_request = request_change(
                enrollment_id=enrollment.pk,
                by=merchant,
                kind="rate_change",
                commission_rate=Decimal(commission),
            )
            accept_change_request(change_request_id=change_request.pk, by=provider)
        return EnrollmentRate.objects.get(change_request=change_request)

    return change


def commission(enrollment, *, at: datetime, since: datetime | None = None) -> Decimal | None:
    """The commission of an order at ``at`` for a buyer promoting since ``since`` (None: new)."""
    with time_machine.travel(at, tick=False):
        rates = effective_rate(
            enrollment_id=enrollment.pk, at=timezone.now(), promoting_since=since
        )
    return None if rates is None else rates.commission_rate


def test_the_initial_rate_holds_from_approval_for_everyone(enrollment):
    assert commission(enrollment, at=APPROVED - DAY) is None
    assert commission(enrollment, at=APPROVED) == Decimal("0.2000")
    assert commission(enrollment, at=APPROVED + 90 * DAY, since=PROMOTING_SINCE) == Decimal(
        "0.2000"
    )
    rates = effective_rate(enrollment_id=enrollment.pk, at=APPROVED + DAY)
    assert (rates.commission_rate, rates.service_fee_rate) == (Decimal("0.2000"), Decimal("0.1000"))


def test_a_decrease_reaches_existing_promoters_30_days_later(enrollment, change_rate):
    rate = change_rate(enrollment, "0.1500", at=CHANGED)

    assert rate.effective_for_existing_at == CHANGED + NOTICE
    existing = {"since": PROMOTING_SINCE}
    assert commission(enrollment, at=CHANGED + timedelta(hours=1), **existing) == Decimal("0.2000")
    assert commission(enrollment, at=CHANGED + NOTICE - timedelta(minutes=1), **existing) == (
        Decimal("0.2000")
    )
    assert commission(enrollment, at=CHANGED + NOTICE, **existing) == Decimal("0.1500")
    # someone who started a minute before the change is an existing promoter too
    assert commission(
        enrollment, at=CHANGED + DAY, since=CHANGED - timedelta(minutes=1)
    ) == Decimal("0.2000")


def test_a_new_promoter_gets_a_decrease_at_once(enrollment, change_rate):
    change_rate(enrollment, "0.1500", at=CHANGED)

    assert commission(enrollment, at=CHANGED) == Decimal("0.1500")
    assert commission(enrollment, at=CHANGED + 2 * DAY, since=CHANGED + DAY) == Decimal("0.1500")


def test_an_increase_reaches_everyone_at_once(enrollment, change_rate):
    rate = change_rate(enrollment, "0.3000", at=CHANGED)

    assert rate.effective_for_existing_at == CHANGED
    assert commission(enrollment, at=CHANGED, since=PROMOTING_SINCE) == Decimal("0.3000")
    assert commission(enrollment, at=CHANGED) == Decimal("0.3000")
    assert commission(enrollment, at=CHANGED - timedelta(seconds=1)) == Decimal("0.2000")


def test_a_decrease_then_a_smaller_increase_within_30_days(enrollment, change_rate):
    change_rate(enrollment, "0.1000", at=CHANGED)
    increased = CHANGED + 10 * DAY
    rate = change_rate(enrollment, "0.1500", at=increased)

    # 15 % is still below the 20 % the early promoter keeps until the decrease's notice ends
    assert rate.effective_for_existing_at == CHANGED + NOTICE
    early = {"since": PROMOTING_SINCE}
    assert commission(enrollment, at=increased + timedelta(hours=1), **early) == Decimal("0.2000")
    assert commission(enrollment, at=CHANGED + NOTICE - timedelta(minutes=1), **early) == (
        Decimal("0.2000")
    )
    assert commission(enrollment, at=CHANGED + NOTICE, **early) == Decimal("0.1500")
    # who started during the decrease gets the increase at once
    during = {"since": CHANGED + 5 * DAY}
    assert commission(enrollment, at=CHANGED + 6 * DAY, **during) == Decimal("0.1000")
    assert commission(enrollment, at=increased, **during) == Decimal("0.1500")
    assert commission(enrollment, at=increased + DAY) == Decimal("0.1500")


def test_a_decrease_then_an_increase_above_the_old_rate_reaches_everyone_at_once(
    enrollment, change_rate
):
    change_rate(enrollment, "0.1000", at=CHANGED)
    increased = CHANGED + 10 * DAY
    rate = change_rate(enrollment, "0.2500", at=increased)

    assert rate.effective_for_existing_at == increased
    assert commission(enrollment, at=increased, since=PROMOTING_SINCE) == Decimal("0.2500")
    assert commission(enrollment, at=increased) == Decimal("0.2500")


def test_the_rate_for_a_moment_is_one_query(enrollment, change_rate, django_assert_num_queries):
    change_rate(enrollment, "0.1000", at=CHANGED)
    change_rate(enrollment, "0.3000", at=CHANGED + 5 * DAY)
    change_rate(enrollment, "0.1500", at=CHANGED + 8 * DAY)
    at = CHANGED + 9 * DAY

    with django_assert_num_queries(1):
        existing = effective_rate(enrollment_id=enrollment.pk, at=at, promoting_since=APPROVED)
    with django_assert_num_queries(1):
        new = effective_rate(enrollment_id=enrollment.pk, at=at)

    assert existing.commission_rate == Decimal("0.3000")
    assert new.commission_rate == Decimal("0.1500")
