"""The provider reviews enrollments (approve, reject, terminate, bulk); merchants withdraw."""

from decimal import Decimal

import pytest
import time_machine

from accounts.models import Role
from matchmaking.models import Enrollment, EnrollmentRate
from tests.factories import CampaignFactory, EnrollmentFactory, ProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/enrollments/"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


@pytest.fixture
def campaign(provider):
    return CampaignFactory(provider=provider.organisation)


@pytest.fixture
def enrollment(merchant, campaign):
    return EnrollmentFactory(
        campaign=campaign, product=ProductFactory(merchant=merchant.organisation)
    )


def act(api, user, enrollment, verb, data=None):
    return api.as_member(user).post(f"{URL}{enrollment.pk}/{verb}/", data or {}, format="json")


def test_the_provider_approves_and_the_rate_is_recorded(api, provider, enrollment):
    response = act(api, provider, enrollment, "approve")

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    enrollment.refresh_from_db()
    assert enrollment.reviewed_by == provider
    rate = EnrollmentRate.objects.get(enrollment=enrollment)
    assert (rate.commission_rate, rate.service_fee_rate) == (Decimal("0.2000"), Decimal("0.1000"))
    assert rate.effective_at == enrollment.reviewed_at


def test_approval_rechecks_that_stock_covers_the_promotion(api, provider, enrollment):
    enrollment.product.stock = 150
    enrollment.product.save()

    response = act(api, provider, enrollment, "approve")

    assert response.status_code == 400
    assert response.json() == {
        "promotion_stock": ["The product has 150 in stock, less than the promotion stock of 200."]
    }
    enrollment.refresh_from_db()
    assert enrollment.status == "pending"
    assert not EnrollmentRate.objects.exists()


def test_an_enrollment_of_a_closed_campaign_cannot_be_approved(api, provider, enrollment):
    enrollment.campaign.status = "closed"
    enrollment.campaign.save()

    response = act(api, provider, enrollment, "approve")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The campaign is closed; its enrollments cannot be approved any more."
    }


def test_the_provider_rejects_with_a_reason(api, provider, enrollment):
    response = act(
        api, provider, enrollment, "reject", {"reason": "rate_too_low", "reason_text": "Try 25 %"}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["reason"], body["reason_text"]) == (
        "rejected",
        "rate_too_low",
        "Try 25 %",
    )


@pytest.mark.parametrize("data", [{}, {"reason": ""}, {"reason_text": "no"}])
def test_a_rejection_needs_a_reason(api, provider, enrollment, data):
    response = act(api, provider, enrollment, "reject", data)

    assert response.status_code == 400
    assert response.json() == {"reason": ["Choose a reason for the rejection."]}
    enrollment.refresh_from_db()
    assert enrollment.status == "pending"


def test_an_unknown_reason_is_a_field_error(api, provider, enrollment):
    response = act(api, provider, enrollment, "reject", {"reason": "bored"})

    assert response.status_code == 400
    assert "reason" in response.json()


def test_the_provider_terminates_an_approved_enrollment(api, provider, enrollment):
    enrollment.status = "approved"
    enrollment.save()

    response = act(api, provider, enrollment, "terminate", {"reason_text": "Quality complaints"})

    assert response.status_code == 200
    assert response.json()["status"] == "terminated"
    assert response.json()["reason_text"] == "Quality complaints"


def test_the_merchant_withdraws_a_pending_enrollment(api, merchant, enrollment):
    response = act(api, merchant, enrollment, "withdraw")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


ILLEGAL = [
    ("approve", "approved", "Only a pending enrollment can be approved; this one is approved."),
    ("approve", "rejected", "Only a pending enrollment can be approved; this one is rejected."),
    ("approve", "withdrawn", "Only a pending enrollment can be approved; this one is withdrawn."),
    ("approve", "expired", "Only a pending enrollment can be approved; this one is expired."),
    ("reject", "approved", "Only a pending enrollment can be rejected; this one is approved."),
    ("reject", "terminated", "Only a pending enrollment can be rejected; this one is terminated."),
    ("terminate", "pending", "Only an approved enrollment can be terminated; this one is pending."),
    ("terminate", "terminated",
     "Only an approved enrollment can be terminated; this one is terminated."),
    ("terminate", "expired", "Only an approved enrollment can be terminated; this one is expired."),
    ("withdraw", "approved", "Only a pending enrollment can be withdrawn; this one is approved."),
    ("withdraw", "rejected", "Only a pending enrollment can be withdrawn; this one is rejected."),
    ("withdraw", "withdrawn", "Only a pending enrollment can be withdrawn; this one is withdrawn."),
]  # fmt: skip


@pytest.mark.parametrize(("verb", "status", "message"), ILLEGAL)
def test_each_illegal_move_is_a_conflict_naming_the_status(
    api, merchant, provider, enrollment, verb, status, message
):
    enrollment.status = status
    enrollment.save()
    actor = merchant if verb == "withdraw" else provider

    response = act(api, actor, enrollment, verb, {"reason": "other"})

    assert response.status_code == 409
    assert response.json() == {"detail": message}
    enrollment.refresh_from_db()
    assert enrollment.status == status


@pytest.mark.parametrize("verb", ["approve", "reject", "terminate"])
def test_the_merchant_cannot_review_its_own_enrollment(api, merchant, enrollment, verb):
    response = act(api, merchant, enrollment, verb, {"reason": "other"})

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the service provider running the campaign can review this enrollment."
    }


def test_the_provider_cannot_withdraw_the_merchants_enrollment(api, provider, enrollment):
    response = act(api, provider, enrollment, "withdraw")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the merchant of the product can withdraw this enrollment."
    }


def test_a_pending_provider_cannot_review(api, member_factory, merchant):
    pending = member_factory(Role.PROVIDER, status="pending")
    enrollment = EnrollmentFactory(campaign=CampaignFactory(provider=pending.organisation))

    response = act(api, pending, enrollment, "approve")

    assert response.status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.status == "pending"


def test_bulk_approve_approves_what_it_can_and_reports_each_id(
    api, provider, merchant, campaign, member_factory
):
    ok = [EnrollmentFactory(campaign=campaign) for _ in range(2)]
    already = EnrollmentFactory(campaign=campaign, status="approved")
    short = EnrollmentFactory(campaign=campaign, product=ProductFactory(stock=10))
    foreign = EnrollmentFactory()

    response = api.as_member(provider).post(
        f"{URL}bulk-approve/",
        {"ids": [ok[0].pk, already.pk, short.pk, foreign.pk, ok[1].pk, ok[0].pk, 999999]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": ok[0].pk, "status": "approved"},
        {"id": already.pk,
         "error": "Only a pending enrollment can be approved; this one is approved."},
        {"id": short.pk,
         "error": "The product has 10 in stock, less than the promotion stock of 200."},
        {"id": foreign.pk, "error": "Not found."},
        {"id": ok[1].pk, "status": "approved"},
        {"id": 999999, "error": "Not found."},
    ]  # fmt: skip
    assert set(Enrollment.objects.filter(status="approved").values_list("pk", flat=True)) == {
        ok[0].pk,
        ok[1].pk,
        already.pk,
    }
    assert EnrollmentRate.objects.count() == 2


def test_bulk_approve_by_the_merchant_is_forbidden(api, merchant, enrollment):
    response = api.as_member(merchant).post(
        f"{URL}bulk-approve/", {"ids": [enrollment.pk]}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only service providers approve enrollments."}
    enrollment.refresh_from_db()
    assert enrollment.status == "pending"


@pytest.mark.parametrize("ids", [[], list(range(1, 202))])
def test_bulk_approve_needs_a_sensible_number_of_ids(api, provider, ids):
    response = api.as_member(provider).post(f"{URL}bulk-approve/", {"ids": ids}, format="json")

    assert response.status_code == 400
    assert response.json() == {"ids": ["Send between 1 and 200 ids."]}


def test_bulk_approve_is_refused_to_buyers_and_pending_providers(api, buyer, pending_provider):
    for user in (buyer, pending_provider):
        response = api.as_member(user).post(f"{URL}bulk-approve/", {"ids": [1]}, format="json")
        assert response.status_code == 403
