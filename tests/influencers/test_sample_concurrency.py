"""Many merchant staff approving at once never overdraw sample stock (real threads, PostgreSQL)."""

from functools import partial

import pytest
from django.utils import timezone

from core.errors import Conflict
from influencers.models import SampleRequest
from influencers.services.samples import approve_sample_request
from merchants.models import Product
from tests.concurrency import run_together
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

    def approve(user, sample) -> str:
        try:
            approve_sample_request(request_id=sample.pk, by=user)
        except Conflict:
            return "no stock"
        return "approved"

    outcomes = run_together(
        *[partial(approve, user, sample) for user, sample in zip(staff, samples, strict=True)]
    )

    assert sorted(outcomes) == ["approved"] * UNITS + ["no stock"] * (STAFF - UNITS)
    assert Product.objects.get(pk=enrollment.product_id).sample_stock == 0
    assert SampleRequest.objects.filter(status="approved", unit_reserved=True).count() == UNITS
