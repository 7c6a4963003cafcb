"""Sample work racing itself never deadlocks: two deadline sweeps and a merchant's approval at
once close every late request once, and a buyer's auto-approved request and a merchant's
approval of its other request both go through (real threads, PostgreSQL; the lock order is
in docs/architecture.md "Lock order")."""

from collections import Counter
from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone

from core.errors import Conflict
from core.models import Notification
from influencers.models import SampleRequest
from influencers.services import sample_deadlines
from influencers.services.samples import approve_sample_request, request_sample
from merchants.models import Product
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import (
    CampaignFactory,
    EnrollmentFactory,
    OrganisationFactory,
    ProductFactory,
    RosterMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.skipif(
    not uses_postgresql(), reason="row locks need PostgreSQL (SQLite has none to deadlock on)"
)

Status = SampleRequest.Status
BATCHES = 12  # of two requests; every other one has its products in descending id


def late_request(*, enrollment, status: str, **fields) -> SampleRequest:
    past = timezone.now() - timedelta(days=1)
    return SampleRequest.objects.create(
        buyer=OrganisationFactory(role="buyer"),
        enrollment=enrollment,
        status=status,
        approve_by=past,
        **fields,
    )


def test_two_sweeps_and_an_approval_at_once_close_each_request_once(transactional_db, monkeypatch):
    merchant = OrganisationFactory(role="merchant")
    first, second = (ProductFactory(merchant=merchant, sample_stock=0) for _ in range(2))
    enrollments = {
        product.pk: EnrollmentFactory(product=product, status="approved")
        for product in (first, second)
    }
    past = timezone.now() - timedelta(days=1)
    # Requests in id order alternate the products' order (second, first, first, second, ...), so
    # two sweepers with batches of two hold products taken in opposite orders if they lock them
    # request by request.
    pattern = [second, first, first, second] * (BATCHES // 2)
    shipped_late = [
        late_request(
            enrollment=enrollments[product.pk],
            status=Status.APPROVED,
            unit_reserved=True,
            approved_at=past,
            ship_by=past,
        )
        for product in pattern
    ]
    asked_late = late_request(enrollment=enrollments[first.pk], status=Status.REQUESTED)
    Product.objects.filter(pk=first.pk).update(sample_stock=1)  # the unit the merchant may give
    staff = UserFactory(organisation=merchant)
    monkeypatch.setattr(sample_deadlines, "BATCH", 2)

    def approve() -> str:
        try:
            approve_sample_request(request_id=asked_late.pk, by=staff)
        except Conflict:
            return "refused"
        return "approved"

    sweep = sample_deadlines.sweep_late_sample_requests
    outcomes = run_together(sweep, sweep, approve, timeout=30)

    *sweeps, approval = outcomes
    moved = Counter()
    for counts in sweeps:
        moved.update(counts)
    asked_late.refresh_from_db()
    if approval == "approved":
        assert asked_late.status == Status.APPROVED and asked_late.unit_reserved
        assert moved["requested->overdue"] == 0
    else:
        assert approval == "refused"
        assert asked_late.status == Status.OVERDUE and not asked_late.unit_reserved
        assert moved["requested->overdue"] == 1
    assert moved["approved->overdue"] == len(shipped_late)
    statuses = Counter(
        SampleRequest.objects.filter(pk__in=[s.pk for s in shipped_late]).values_list(
            "status", "unit_reserved"
        )
    )
    assert statuses == {(Status.OVERDUE, False): len(shipped_late)}
    # Every reserved unit went back exactly once; the merchant's unit was taken at most once.
    stock = dict(Product.objects.values_list("pk", "sample_stock"))
    given = 1 if approval == "approved" else 0
    assert stock[first.pk] == pattern.count(first) + 1 - given
    assert stock[second.pk] == pattern.count(second)
    # One overdue notice per side and request, none twice.
    notices = Counter(
        Notification.objects.filter(kind="sample.overdue").values_list("link", "organisation")
    )
    overdue = [*shipped_late, *([asked_late] if approval == "refused" else [])]
    assert set(notices.values()) == {1}
    assert len(notices) == 2 * len(overdue)
    assert {link for link, _organisation in notices} == {f"/samples/{s.pk}/" for s in overdue}


def test_a_buyer_asking_while_the_merchant_approves_its_other_request_both_go_through(
    transactional_db,
):
    """The buyer's request locks the buyer's organisation, then the product (auto-approval);
    the approval locks the product, then tells the buyer: its notice points at the buyer's
    organisation, checked at commit. A FOR UPDATE on the organisation would hold that check
    back while the request waits for the product: a deadlock."""
    for _ in range(4):
        buyer = UserFactory(organisation=OrganisationFactory(role="buyer"))
        provider = OrganisationFactory(role="provider")
        product = ProductFactory(sample_stock=2)
        merchant = UserFactory(organisation=product.merchant)
        RosterMembershipFactory(provider=provider, buyer=buyer.organisation)
        asked, automatic = (
            EnrollmentFactory(
                product=product,
                campaign=CampaignFactory(provider=provider),
                status="approved",
                auto_approve_samples=auto,
            )
            for auto in (False, True)
        )
        waiting = SampleRequest.objects.create(
            buyer=buyer.organisation,
            enrollment=asked,
            approve_by=timezone.now() + timedelta(days=3),
        )

        approved, requested = run_together(
            partial(approve_sample_request, request_id=waiting.pk, by=merchant),
            partial(request_sample, by=buyer, enrollment_id=automatic.pk),
            timeout=30,
        )

        assert (approved.status, requested.status) == (Status.APPROVED, Status.APPROVED)
        assert requested.auto_approved
        assert Product.objects.get(pk=product.pk).sample_stock == 0
