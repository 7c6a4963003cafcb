"""The effective status (dates win) and the beat task that persists it."""

from datetime import date

import pytest
import time_machine
from django.conf import settings

from config.celery import app
from matchmaking import tasks
from matchmaking.models import Campaign
from matchmaking.selectors.campaigns import (
    effective_status,
    effectively,
    with_effective_status,
)
from matchmaking.services.campaigns import advance_campaigns
from tests.factories import CampaignFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db


def campaign(status: str = "open") -> Campaign:
    """Registration 1-10 March, promotion 11-20 March 2026."""
    return CampaignFactory(
        status=status,
        registration_start=date(2026, 3, 1),
        registration_end=date(2026, 3, 10),
        promotion_start=date(2026, 3, 11),
        promotion_end=date(2026, 3, 20),
    )


@pytest.mark.parametrize(
    ("persisted", "today", "expected"),
    [
        ("draft", date(2026, 3, 15), "draft"),
        ("draft", date(2026, 4, 1), "draft"),
        ("open", date(2026, 3, 10), "open"),
        ("open", date(2026, 3, 11), "ongoing"),
        ("open", date(2026, 3, 20), "ongoing"),
        ("open", date(2026, 3, 21), "closed"),
        ("ongoing", date(2026, 3, 21), "closed"),
        ("closed", date(2026, 3, 12), "closed"),
    ],
)
def test_the_dates_win_over_the_persisted_status(persisted, today, expected):
    row = campaign(persisted)

    assert effective_status(row, today) == expected
    annotated = with_effective_status(Campaign.objects.all(), today).get()
    assert annotated.current_status == expected
    assert Campaign.objects.filter(effectively(expected, today=today)).get() == row


def test_the_api_shows_the_effective_status_before_the_beat_ran(api, merchant):
    row = campaign("open")

    with time_machine.travel("2026-03-11 00:05 +0800", tick=False):
        body = api.as_member(merchant).get(f"/api/v1/campaigns/{row.pk}/").json()

    assert body["status"] == "ongoing"
    row.refresh_from_db()
    assert row.status == "open"


def test_the_beat_persists_the_moves_and_expires_approved_enrollments():
    starting = campaign("open")
    ending = CampaignFactory(
        status="ongoing",
        registration_start=date(2026, 2, 1),
        registration_end=date(2026, 2, 5),
        promotion_start=date(2026, 2, 6),
        promotion_end=date(2026, 3, 10),
    )
    approved = EnrollmentFactory(campaign=ending, status="approved")
    pending = EnrollmentFactory(campaign=ending, status="pending")
    rejected = EnrollmentFactory(campaign=ending, status="rejected")
    live = EnrollmentFactory(campaign=starting, status="approved")
    draft = campaign("draft")

    with time_machine.travel("2026-03-11 00:05 +0800", tick=False):
        first = advance_campaigns()
        second = advance_campaigns()

    assert (first.ongoing, first.closed, first.expired_enrollments) == (1, 1, 1)
    assert (second.ongoing, second.closed, second.expired_enrollments) == (0, 0, 0)
    statuses = dict(Campaign.objects.values_list("pk", "status"))
    assert statuses == {starting.pk: "ongoing", ending.pk: "closed", draft.pk: "draft"}
    for enrollment, expected in [
        (approved, "expired"),
        (pending, "pending"),
        (rejected, "rejected"),
        (live, "approved"),
    ]:
        enrollment.refresh_from_db()
        assert enrollment.status == expected


def test_the_beat_closes_an_open_campaign_whose_promotion_passed_unnoticed():
    row = campaign("open")

    with time_machine.travel("2026-03-25 03:00 +0800", tick=False):
        advanced = advance_campaigns()

    assert advanced.closed == 1
    row.refresh_from_db()
    assert row.status == "closed"
    assert row.closed_at is not None


def test_the_beat_expires_approved_enrollments_of_campaigns_closed_by_hand():
    row = campaign("closed")
    enrollment = EnrollmentFactory(campaign=row, status="approved")

    with time_machine.travel("2026-03-12 03:00 +0800", tick=False):
        tasks.advance_campaigns.apply()

    enrollment.refresh_from_db()
    assert enrollment.status == "expired"


def test_the_beat_expires_a_second_level_whose_first_level_expired():
    first_campaign = CampaignFactory(
        status="ongoing",
        registration_start=date(2026, 2, 1),
        registration_end=date(2026, 2, 5),
        promotion_start=date(2026, 2, 6),
        promotion_end=date(2026, 3, 10),
    )
    first = EnrollmentFactory(campaign=first_campaign, status="approved")
    second = EnrollmentFactory(
        campaign=campaign("open"), product=first.product, parent=first, status="approved",
        service_fee_rate="0.0500",
    )  # fmt: skip

    with time_machine.travel("2026-03-11 03:00 +0800", tick=False):
        advance_campaigns()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("expired", "expired")


def test_the_task_reports_what_it_moved():
    campaign("open")

    with time_machine.travel("2026-03-11 03:00 +0800", tick=False):
        result = tasks.advance_campaigns.apply().get()

    assert result == {"ongoing": 1, "closed": 0, "expired_enrollments": 0}


def test_beat_runs_it_hourly_with_an_expiry():
    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["advance-campaigns"]

    assert entry["task"] == "matchmaking.tasks.advance_campaigns"
    assert entry["task"] in app.tasks
    assert 0 < entry["options"]["expires"] < 3600
