"""Beat sweeps overlapping each other and a provider's own decision never deadlock, and every
row ends with one outcome, reached once (real threads, PostgreSQL; the lock order is in
docs/architecture.md "Lock order")."""

from collections import Counter
from datetime import timedelta
from functools import partial

import pytest
import time_machine
from django.utils import timezone

from core.errors import Conflict
from core.models import Notification
from matchmaking.models import Campaign, ChangeRequest, Enrollment, EnrollmentRate
from matchmaking.services.campaigns import advance_campaigns
from matchmaking.services.change_requests import (
    auto_accept_due_change_requests,
    reject_change_request,
)
from matchmaking.services.enrollments import terminate_enrollment
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import CampaignFactory, EnrollmentFactory, OrganisationFactory, UserFactory
from tests.matchmaking.test_change_requests_api import NOON
from tests.matchmaking.test_change_requests_auto_accept import WEEK, asked_at_noon

pytestmark = pytest.mark.skipif(
    not uses_postgresql(), reason="row locks need PostgreSQL (SQLite has none to deadlock on)"
)


def test_two_auto_accept_sweeps_and_a_provider_deciding_settle_each_request_once(
    transactional_db,
):
    merchant = UserFactory(organisation=OrganisationFactory(role="merchant"))
    provider = UserFactory(organisation=OrganisationFactory(role="provider"))
    requests = [asked_at_noon(merchant, provider) for _ in range(10)]
    decided = requests[4]

    def reject() -> str:
        try:
            reject_change_request(change_request_id=decided.pk, by=provider, reason="No")
        except Conflict:
            return "too late"
        return "rejected"

    sweep = partial(auto_accept_due_change_requests, batch_size=2)
    with time_machine.travel(NOON + WEEK, tick=False):  # one clock for every thread
        *accepted, decision = run_together(sweep, sweep, reject, timeout=30)

    statuses = dict(ChangeRequest.objects.values_list("pk", "status"))
    if decision == "rejected":
        assert statuses.pop(decided.pk) == "rejected"
        assert sum(accepted) == len(requests) - 1
    else:
        assert decision == "too late"
        assert sum(accepted) == len(requests)
    assert set(statuses.values()) == {"accepted"}
    # Each accepted request made one new rate, and the merchant heard of each decision once.
    assert EnrollmentRate.objects.filter(change_request__isnull=False).count() == sum(accepted)
    told = Counter(
        Notification.objects.filter(kind__startswith="change_request.").values_list(
            "kind", "message"
        )
    )
    assert set(told.values()) == {1}
    assert len(told) == len(requests)


def ended_campaign(provider) -> Campaign:
    today = timezone.localdate()
    return CampaignFactory(
        provider=provider,
        status="ongoing",
        registration_start=today - timedelta(days=20),
        registration_end=today - timedelta(days=12),
        promotion_start=today - timedelta(days=10),
        promotion_end=today - timedelta(days=1),
    )


PAIRS = 8


def test_two_campaign_sweeps_and_terminations_at_once_end_each_enrollment_once(
    transactional_db,
):
    first_provider = UserFactory(organisation=OrganisationFactory(role="provider"))
    second_provider = OrganisationFactory(role="provider")
    reoffers_campaign = ended_campaign(second_provider)
    firsts, reoffers = [], []
    for _ in range(PAIRS):
        first = EnrollmentFactory(
            campaign=ended_campaign(first_provider.organisation), status="approved"
        )
        firsts.append(first)
        reoffers.append(
            EnrollmentFactory(
                campaign=reoffers_campaign, product=first.product, parent=first, status="approved"
            )
        )
    # A first level written again after its re-offer was made (a rate change, a review) sits
    # behind it in the table, so a sweep's UPDATE would come to the re-offer first.
    Enrollment.objects.filter(pk__in=[e.pk for e in firsts]).update(updated_at=timezone.now())

    def terminate(enrollment) -> str:
        try:
            terminate_enrollment(enrollment_id=enrollment.pk, by=first_provider)
        except Conflict:
            return "already ended"
        return "terminated"

    advance = advance_campaigns
    terminations = [partial(terminate, first) for first in firsts[::2]]
    advanced_1, advanced_2, *terminated = run_together(advance, advance, *terminations, timeout=30)

    assert advanced_1.closed + advanced_2.closed == PAIRS + 1
    assert set(Campaign.objects.values_list("status", flat=True)) == {"closed"}
    statuses = dict(Enrollment.objects.values_list("pk", "status"))
    for first, outcome in zip(firsts[::2], terminated, strict=True):
        assert statuses[first.pk] == ("terminated" if outcome == "terminated" else "expired")
    for first in firsts[1::2]:
        assert statuses[first.pk] == "expired"
    for first, reoffer in zip(firsts, reoffers, strict=True):
        expected = {"terminated"} if statuses[first.pk] == "terminated" else {"expired"}
        if statuses[first.pk] == "terminated":
            expected.add("expired")  # the sweep may have expired it before the termination
        assert statuses[reoffer.pk] in expected
    # Each enrollment was ended once: the sweeps' counts add up to the expired rows.
    expired = sum(1 for status in statuses.values() if status == "expired")
    assert advanced_1.expired_enrollments + advanced_2.expired_enrollments == expired
    assert not Enrollment.objects.filter(promotion_ended_at__isnull=True).exists()
