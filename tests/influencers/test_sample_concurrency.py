"""Many merchant staff approving at once never overdraw sample stock (real threads, PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import Conflict
from influencers.models import SampleRequest
from influencers.services.samples import approve_sample_request
from merchants.models import Product
from tests.conftest import uses_postgresql
from tests.factories import EnrollmentFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.skipif(
    not uses_postgresql(), reason="row locks need PostgreSQL (bash .ci/run uses it)"
)

STAFF = 12
UNITS = 3


def test_parallel_approvals_reserve_exactly_the_stock(transactional_db):
    enrollment = EnrollmentFactory(status="approved", product__sample_stock=UNITS)
    merchant = enrollment.product.merchant
    staff = [UserFactory(organisation=merchant) for _ in range(STAFF)]
    samples = [
        SampleRequest.objects.create(
            buyer=OrganisationFactory(role="buyer"),
            enrollment=enrollment,
            approve_by=timezone.now(),
        )
        for _ in range(STAFF)
    ]
    barrier = threading.Barrier(STAFF)
    outcomes: list[str] = []

    def approve(user, sample):
        try:
            barrier.wait()
            approve_sample_request(request_id=sample.pk, by=user)
            outcomes.append("approved")
        except Conflict:
            outcomes.append("no stock")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=pair) for pair in zip(staff, samples, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["approved"] * UNITS + ["no stock"] * (STAFF - UNITS)
    assert Product.objects.get(pk=enrollment.product_id).sample_stock == 0
    assert SampleRequest.objects.filter(status="approved", unit_reserved=True).count() == UNITS
