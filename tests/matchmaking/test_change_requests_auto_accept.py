"""Undecided for 7 days, a change request is accepted by the beat task, once."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings

from config.celery import app
from matchmaking.models import ChangeRequest, Enrollment, EnrollmentRate
from matchmaking.services.change_requests import auto_accept_due_change_requests
from matchmaking.tasks import auto_accept_change_requests
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import OrganisationFactory, UserFactory
from tests.matchmaking.test_change_requests_api import NOON, approved_enrollment, pending_request

WEEK = timedelta(days=7)


def asked_at_noon(merchant, provider, **kwargs) -> ChangeRequest:
    with time_machine.travel(NOON - timedelta(days=30), tick=False):
        enrollment = approved_enrollment(merchant=merchant, provider=provider)
    with time_machine.travel(NOON, tick=False):
        return pending_request(enrollment, **kwargs)


@pytest.mark.django_db
def test_it_is_not_accepted_before_7_days(merchant, provider):
    change_request = asked_at_noon(merchant, provider)

    with time_machine.travel(NOON + WEEK - timedelta(minutes=1), tick=False):
        assert auto_accept_change_requests() == 0

    change_request.refresh_from_db()
    assert change_request.status == "pending"


@pytest.mark.django_db
def test_it_is_accepted_after_7_days_as_if_the_provider_had(merchant, provider):
    change_request = asked_at_noon(merchant, provider, commission_rate=Decimal("0.1500"))

    with time_machine.travel(NOON + WEEK, tick=False):
        assert auto_accept_change_requests() == 1

    change_request.refresh_from_db()
    assert change_request.status == "accepted"
    assert change_request.auto_accepted is True
    assert change_request.decided_by is None
    assert change_request.decided_at == NOON + WEEK
    enrollment = change_request.enrollment
    enrollment.refresh_from_db()
    assert enrollment.commission_rate == Decimal("0.1500")
    rate = EnrollmentRate.objects.get(change_request=change_request)
    assert rate.effective_at == NOON + WEEK
    assert rate.effective_for_existing_at == NOON + WEEK + timedelta(days=30)


@pytest.mark.django_db
def test_an_undecided_cancellation_terminates_the_enrollment(merchant, provider):
    change_request = asked_at_noon(merchant, provider, kind="cancellation", commission_rate=None)

    with time_machine.travel(NOON + WEEK + timedelta(hours=1), tick=False):
        assert auto_accept_change_requests() == 1

    enrollment = Enrollment.objects.get(pk=change_request.enrollment_id)
    assert enrollment.status == "terminated"
    assert enrollment.reason_text == "cancelled by merchant"


@pytest.mark.django_db
def test_running_twice_changes_nothing_more(merchant, provider):
    change_request = asked_at_noon(merchant, provider)

    with time_machine.travel(NOON + WEEK, tick=False):
        assert auto_accept_change_requests() == 1
    with time_machine.travel(NOON + WEEK + timedelta(hours=1), tick=False):
        assert auto_accept_change_requests() == 0

    assert EnrollmentRate.objects.filter(enrollment=change_request.enrollment_id).count() == 2
    change_request.refresh_from_db()
    assert change_request.decided_at == NOON + WEEK


@pytest.mark.django_db
def test_it_works_through_every_batch_and_leaves_decided_ones_alone(merchant, provider):
    due = [asked_at_noon(merchant, provider) for _ in range(5)]
    rejected = asked_at_noon(merchant, provider, status="rejected")
    fresh = asked_at_noon(merchant, provider)
    ChangeRequest.objects.filter(pk=fresh.pk).update(created_at=NOON + timedelta(days=3))

    with time_machine.travel(NOON + WEEK, tick=False):
        assert auto_accept_due_change_requests(batch_size=2) == 5

    statuses = dict(ChangeRequest.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in due] == ["accepted"] * 5
    assert statuses[rejected.pk] == "rejected"
    assert statuses[fresh.pk] == "pending"


@pytest.mark.django_db
def test_a_request_on_an_enrollment_no_longer_approved_is_left_alone(merchant, provider):
    change_request = asked_at_noon(merchant, provider)
    Enrollment.objects.filter(pk=change_request.enrollment_id).update(status="expired")

    with time_machine.travel(NOON + WEEK, tick=False):
        assert auto_accept_due_change_requests(batch_size=1) == 0

    change_request.refresh_from_db()
    assert change_request.status == "pending"


def test_beat_runs_it_with_an_expiry():
    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["auto-accept-change-requests"]

    assert entry["task"] == "matchmaking.tasks.auto_accept_change_requests"
    assert entry["task"] in app.tasks
    assert 0 < entry["options"]["expires"] < 15 * 60


@pytest.mark.skipif(not uses_postgresql(), reason="row locks need PostgreSQL")
def test_two_workers_at_once_accept_each_request_exactly_once(transactional_db):
    merchant = UserFactory(organisation=OrganisationFactory(role="merchant"))
    provider = UserFactory(organisation=OrganisationFactory(role="provider"))
    requests = [asked_at_noon(merchant, provider) for _ in range(12)]

    # One frozen clock for both threads: time_machine patches the whole process.
    with time_machine.travel(NOON + WEEK, tick=False):
        counts = run_together(*[lambda: auto_accept_due_change_requests(batch_size=3)] * 2)

    assert sum(counts) == len(requests)
    assert ChangeRequest.objects.filter(status="accepted", auto_accepted=True).count() == 12
    assert EnrollmentRate.objects.filter(change_request__isnull=False).count() == 12
