"""Two workers or two clicks at once (real threads, PostgreSQL)."""

import importlib
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps

from core.errors import DomainError
from matchmaking.models import Campaign, Enrollment
from matchmaking.services.campaigns import advance_campaigns
from matchmaking.services.enrollments import Terms, approve_enrollment, enroll_product
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import CampaignFactory, EnrollmentFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.skipif(
    not uses_postgresql(), reason="row locks need PostgreSQL (bash .ci/run uses it)"
)


@pytest.fixture(autouse=True)
def categories(transactional_db):
    """A transactional test before this one flushed the categories the migration seeded."""
    importlib.import_module("merchants.migrations.0002_seed_categories").seed(apps, None)


def test_two_beat_workers_move_each_campaign_once(transactional_db):
    for _ in range(5):
        CampaignFactory(
            status="open",
            registration_start=date(2026, 3, 1),
            registration_end=date(2026, 3, 10),
            promotion_start=date(2026, 3, 11),
            promotion_end=date(2026, 3, 20),
        )

    outcomes = run_together(*[lambda: advance_campaigns(today=date(2026, 3, 11))] * 2)

    assert sum(outcome.ongoing for outcome in outcomes) == 5
    assert set(Campaign.objects.values_list("status", flat=True)) == {"ongoing"}


def test_two_identical_enrollments_at_once_make_one(transactional_db):
    campaign = CampaignFactory()
    product = ProductFactory()
    merchant = UserFactory(organisation=product.merchant)
    terms = Terms(
        commission_rate=Decimal("0.2000"),
        service_fee_rate=Decimal("0.1000"),
        campaign_price=Decimal("150.00"),
        promotion_stock=10,
    )

    def enroll() -> Enrollment:
        return enroll_product(
            by=merchant, campaign_id=campaign.pk, product_id=product.pk, terms=terms
        )

    outcomes = run_together(enroll, enroll)

    assert Enrollment.objects.count() == 1
    errors = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    assert len(errors) == 1
    assert errors[0].field == "product"


def test_two_reviewers_approving_at_once_approve_once(transactional_db):
    enrollment = EnrollmentFactory()
    provider = enrollment.campaign.provider
    reviewers = iter([UserFactory(organisation=provider), UserFactory(organisation=provider)])
    lock = threading.Lock()

    def approve():
        with lock:
            reviewer = next(reviewers)
        return approve_enrollment(enrollment_id=enrollment.pk, by=reviewer)

    outcomes = run_together(approve, approve)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "Enrollment"]
    assert enrollment.rates.count() == 1
