"""Change requests through the API: the merchant asks, the campaign's provider decides."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from core.models import Notification
from matchmaking.models import ChangeRequest, Enrollment, EnrollmentRate
from matchmaking.rates import record_initial_rate
from tests.factories import CampaignFactory, EnrollmentFactory, ProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/change-requests/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI)


def approved_enrollment(*, merchant, provider, min_commission="0.2000", **kwargs) -> Enrollment:
    """An approved enrollment at 20 % + 10 % with its initial rate, in a 20 % / 10 % campaign."""
    enrollment = EnrollmentFactory(
        status="approved",
        product=ProductFactory(merchant=merchant.organisation),
        campaign=CampaignFactory(
            provider=provider.organisation, min_commission_rate=Decimal(min_commission)
        ),
        **kwargs,
    )
    record_initial_rate(enrollment=enrollment, at=timezone.now())
    return enrollment


def ask(api, user, enrollment, **payload):
    body = {"enrollment": enrollment.pk, "kind": "rate_change", "note": "", **payload}
    return api.as_member(user).post(URL, body, format="json")


def pending_request(enrollment, **kwargs) -> ChangeRequest:
    values = {"kind": "rate_change", "commission_rate": Decimal("0.2500"), **kwargs}
    if values["kind"] == "rate_change":
        values.setdefault("service_fee_rate", enrollment.service_fee_rate)
    return ChangeRequest.objects.create(enrollment=enrollment, **values)


@pytest.fixture
def enrollment(merchant, provider):
    return approved_enrollment(merchant=merchant, provider=provider)


# --- asking ------------------------------------------------------------------


def test_a_change_cannot_lift_the_service_fee_above_40_percent(api, merchant, enrollment):
    response = ask(api, merchant, enrollment, commission_rate="0.2000", service_fee_rate="0.4500")

    assert response.status_code == 400
    assert response.json()["service_fee_rate"] == ["The service-fee rate can be at most 40 %."]
    assert not ChangeRequest.objects.exists()


def test_it_lets_the_merchant_ask_for_a_rate_change(api, merchant, provider, enrollment):
    with time_machine.travel(NOON, tick=False):
        response = ask(api, merchant, enrollment, commission_rate="0.25", note="Peak season")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id", "enrollment", "kind", "commission_rate", "service_fee_rate",
        "current_commission_rate", "current_service_fee_rate", "note", "status", "reason",
        "auto_accepted", "created_at", "decided_at", "auto_accept_at",
    }  # fmt: skip
    assert body["enrollment"] == enrollment.pk
    assert body["kind"] == "rate_change"
    assert body["status"] == "pending"
    assert body["commission_rate"] == "0.2500"
    assert body["service_fee_rate"] == "0.1000"  # defaults to the current one
    assert body["current_commission_rate"] == "0.2000"
    assert body["current_service_fee_rate"] == "0.1000"
    assert body["note"] == "Peak season"
    assert body["auto_accept_at"] == "2026-03-09T12:00:00+08:00"
    enrollment.refresh_from_db()
    assert enrollment.commission_rate == Decimal("0.2000")  # nothing changes until accepted
    notice = Notification.objects.get(organisation=provider.organisation)
    assert notice.kind == "change_request.requested"


def test_it_takes_a_new_service_fee_when_given(api, merchant, enrollment):
    response = ask(api, merchant, enrollment, commission_rate="0.2000", service_fee_rate="0.1200")

    assert response.status_code == 201
    assert response.json()["service_fee_rate"] == "0.1200"


def test_it_lets_the_merchant_ask_for_a_cancellation(api, merchant, enrollment):
    response = ask(api, merchant, enrollment, kind="cancellation", commission_rate="0.5")

    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "cancellation"
    assert body["commission_rate"] is None
    assert body["service_fee_rate"] is None


@pytest.mark.parametrize("status", ["pending", "rejected", "withdrawn", "terminated", "expired"])
def test_only_an_approved_enrollment_can_be_changed(api, merchant, enrollment, status):
    Enrollment.objects.filter(pk=enrollment.pk).update(status=status)

    response = ask(api, merchant, enrollment, commission_rate="0.25")

    assert response.status_code == 409
    assert response.json() == {"detail": "Only an approved enrollment can be changed."}


def test_the_campaigns_provider_cannot_ask(api, provider, enrollment):
    response = ask(api, provider, enrollment, commission_rate="0.25")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the product's merchant can ask for a change."}
    assert not ChangeRequest.objects.exists()


def test_another_organisation_is_told_the_enrollment_is_not_found(api, member_factory, enrollment):
    other_merchant = member_factory("merchant")
    other_provider = member_factory("provider")
    missing = Enrollment(pk=enrollment.pk + 1000)

    for user, target in [(other_merchant, enrollment), (other_provider, enrollment)]:
        response = ask(api, user, target, commission_rate="0.25")
        assert response.status_code == 400
        assert response.json() == {"enrollment": ["Enrollment not found."]}
    # the same answer as for an enrollment that does not exist at all
    assert ask(api, other_merchant, missing, commission_rate="0.25").json() == {
        "enrollment": ["Enrollment not found."]
    }
    assert not ChangeRequest.objects.exists()


def test_one_request_waits_per_enrollment(api, merchant, provider, enrollment):
    assert ask(api, merchant, enrollment, commission_rate="0.25").status_code == 201

    response = ask(api, merchant, enrollment, kind="cancellation")

    assert response.status_code == 409
    assert response.json() == {"detail": "A change request is already waiting for this enrollment."}
    first = ChangeRequest.objects.get()
    api.as_member(provider).post(f"{URL}{first.pk}/reject/", {}, format="json")
    assert ask(api, merchant, enrollment, kind="cancellation").status_code == 201


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"commission_rate": "0.1500"},
            {"commission_rate": ["The commission rate must be at least 20 % in this campaign."]},
        ),
        (
            {"commission_rate": "0.8100", "service_fee_rate": "0.0900"},
            {
                "commission_rate": ["The commission rate can be at most 80 %."],
                "service_fee_rate": [
                    "The service-fee rate must be at least 10 % in this campaign."
                ],
            },
        ),
        (
            {"commission_rate": "0.2500", "service_fee_rate": "0.0500"},
            {"service_fee_rate": ["The service-fee rate must be at least 10 % in this campaign."]},
        ),
        (
            {"commission_rate": "0.7500", "service_fee_rate": "0.1600"},
            {"commission_rate": ["Commission and service fee together can be at most 90 %."]},
        ),
        (
            {"commission_rate": "0.2000"},
            {"commission_rate": ["The new rate is the same as the current one."]},
        ),
        ({}, {"commission_rate": ["Give the new commission rate."]}),
        (
            {"commission_rate": "0.12345"},
            {"commission_rate": ["Ensure that there are no more than 4 decimal places."]},
        ),
        ({"kind": "discount"}, {"kind": ['"discount" is not a valid choice.']}),
    ],
)
def test_a_new_rate_follows_the_rules_of_enrolling(api, merchant, enrollment, payload, errors):
    """The same rules and words as enrolling (matchmaking.rates.check_enrollment_rates)."""
    response = ask(api, merchant, enrollment, **payload)

    assert response.status_code == 400
    assert response.json() == errors
    assert not ChangeRequest.objects.exists()


def test_a_buyer_cannot_use_change_requests(api, buyer, enrollment):
    client = api.as_member(buyer)

    assert client.get(URL).status_code == 403
    assert ask(api, buyer, enrollment, commission_rate="0.25").status_code == 403


# --- deciding ----------------------------------------------------------------


def test_the_provider_accepts_a_decrease_which_reaches_existing_buyers_30_days_later(
    api, merchant, provider, enrollment
):
    change_request = pending_request(enrollment, commission_rate=Decimal("0.1500"))

    with time_machine.travel(NOON, tick=False):
        response = api.as_member(provider).post(f"{URL}{change_request.pk}/accept/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "accepted"
    assert body["auto_accepted"] is False
    assert body["decided_at"] == "2026-03-02T12:00:00+08:00"
    assert body["auto_accept_at"] is None
    enrollment.refresh_from_db()
    assert (enrollment.commission_rate, enrollment.service_fee_rate) == (
        Decimal("0.1500"),
        Decimal("0.1000"),
    )
    rate = EnrollmentRate.objects.get(change_request=change_request)
    assert rate.effective_at == NOON
    assert rate.effective_for_existing_at == NOON + timedelta(days=30)
    change_request.refresh_from_db()
    assert change_request.decided_by == provider
    notice = Notification.objects.get(organisation=merchant.organisation)
    assert notice.kind == "change_request.accepted"


def test_an_accepted_increase_reaches_everyone_at_once(api, provider, enrollment):
    change_request = pending_request(enrollment, commission_rate=Decimal("0.3000"))

    with time_machine.travel(NOON, tick=False):
        api.as_member(provider).post(f"{URL}{change_request.pk}/accept/")

    rate = EnrollmentRate.objects.get(change_request=change_request)
    assert rate.effective_at == rate.effective_for_existing_at == NOON


def test_an_accepted_cancellation_terminates_the_enrollment(api, provider, enrollment):
    change_request = pending_request(enrollment, kind="cancellation", commission_rate=None)

    response = api.as_member(provider).post(f"{URL}{change_request.pk}/accept/")

    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.status == "terminated"
    assert enrollment.reason_text == "cancelled by merchant"
    assert enrollment.commission_rate == Decimal("0.2000")
    assert EnrollmentRate.objects.filter(enrollment=enrollment).count() == 1


def test_the_provider_rejects_with_a_reason(api, merchant, provider, enrollment):
    change_request = pending_request(enrollment)

    response = api.as_member(provider).post(
        f"{URL}{change_request.pk}/reject/", {"reason": "Rates are fixed until May."}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["reason"] == "Rates are fixed until May."
    enrollment.refresh_from_db()
    assert enrollment.commission_rate == Decimal("0.2000")
    assert EnrollmentRate.objects.filter(enrollment=enrollment).count() == 1
    notice = Notification.objects.get(organisation=merchant.organisation)
    assert notice.message.endswith("Rates are fixed until May.")
    merchant_view = api.as_member(merchant).get(f"{URL}{change_request.pk}/").json()
    assert merchant_view["reason"] == "Rates are fixed until May."


@pytest.mark.parametrize("action", ["accept", "reject"])
def test_the_merchant_cannot_decide(api, merchant, enrollment, action):
    change_request = pending_request(enrollment)

    response = api.as_member(merchant).post(f"{URL}{change_request.pk}/{action}/")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the campaign's service provider decides change requests."
    }
    change_request.refresh_from_db()
    assert change_request.status == "pending"


@pytest.mark.parametrize("action", ["accept", "reject"])
def test_a_pending_provider_cannot_decide(api, merchant, pending_provider, action):
    enrollment = approved_enrollment(merchant=merchant, provider=pending_provider)
    change_request = pending_request(enrollment)

    response = api.as_member(pending_provider).post(f"{URL}{change_request.pk}/{action}/")

    assert response.status_code == 403
    assert response.json() == {"detail": "Your organisation is pending approval by an operator."}
    change_request.refresh_from_db()
    assert change_request.status == "pending"


@pytest.mark.parametrize("first", ["accept", "reject"])
@pytest.mark.parametrize("then", ["accept", "reject"])
def test_a_decided_request_cannot_be_decided_again(api, provider, enrollment, first, then):
    change_request = pending_request(enrollment)
    client = api.as_member(provider)
    assert client.post(f"{URL}{change_request.pk}/{first}/").status_code == 200

    response = client.post(f"{URL}{change_request.pk}/{then}/")

    assert response.status_code == 409
    assert response.json() == {"detail": "This change request was already decided."}


def test_it_cannot_accept_once_the_enrollment_is_no_longer_approved(api, provider, enrollment):
    change_request = pending_request(enrollment)
    Enrollment.objects.filter(pk=enrollment.pk).update(status="terminated")

    response = api.as_member(provider).post(f"{URL}{change_request.pk}/accept/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The enrollment is no longer approved, so the change cannot be accepted."
    }
    change_request.refresh_from_db()
    assert change_request.status == "pending"


def test_other_organisations_get_404(api, member_factory, enrollment):
    change_request = pending_request(enrollment)
    other_merchant = member_factory("merchant")
    other_provider = member_factory("provider")

    for user in (other_merchant, other_provider):
        client = api.as_member(user)
        assert client.get(f"{URL}{change_request.pk}/").status_code == 404
        assert client.get(URL).json()["count"] == 0
        assert client.post(f"{URL}{change_request.pk}/accept/").status_code == 404
        assert client.post(f"{URL}{change_request.pk}/reject/").status_code == 404
    change_request.refresh_from_db()
    assert change_request.status == "pending"


def test_a_request_cannot_be_edited_or_withdrawn(api, merchant, enrollment):
    change_request = pending_request(enrollment)
    client = api.as_member(merchant)

    assert (
        client.patch(f"{URL}{change_request.pk}/", {"note": "x"}, format="json").status_code == 405
    )
    assert client.delete(f"{URL}{change_request.pk}/").status_code == 405


# --- listing -----------------------------------------------------------------


def test_both_sides_list_their_requests_with_bounded_queries(
    api, merchant, provider, django_assert_max_num_queries
):
    requests = [
        pending_request(approved_enrollment(merchant=merchant, provider=provider)) for _ in range(6)
    ]
    pending_request(approved_enrollment(merchant=merchant, provider=provider), kind="cancellation",
                    commission_rate=None, status="rejected")  # fmt: skip

    for user in (merchant, provider):
        client = api.as_member(user)
        with django_assert_max_num_queries(5):
            body = client.get(URL).json()
        assert body["count"] == 7
    pending = api.as_member(provider).get(URL, {"status": "pending"}).json()
    assert {row["id"] for row in pending["results"]} == {r.pk for r in requests}
    one = api.as_member(provider).get(URL, {"enrollment": requests[0].enrollment_id}).json()
    assert [row["id"] for row in one["results"]] == [requests[0].pk]


# --- rate history ------------------------------------------------------------

RATES = "/api/v1/enrollment-rates/"


def test_it_lists_an_enrollments_rate_history(api, merchant, provider):
    with time_machine.travel(NOON - timedelta(days=10), tick=False):
        enrollment = approved_enrollment(merchant=merchant, provider=provider)
    change_request = pending_request(enrollment, commission_rate=Decimal("0.1500"))
    with time_machine.travel(NOON, tick=False):
        api.as_member(provider).post(f"{URL}{change_request.pk}/accept/")
    approved_enrollment(merchant=merchant, provider=provider)  # another enrollment's history

    for user in (merchant, provider):
        body = api.as_member(user).get(RATES, {"enrollment": enrollment.pk}).json()
        assert body["count"] == 2
        newest = body["results"][0]
        assert newest == {
            "enrollment": enrollment.pk,
            "commission_rate": "0.1500",
            "service_fee_rate": "0.1000",
            "effective_at": "2026-03-02T12:00:00+08:00",
            "effective_for_existing_at": "2026-04-01T12:00:00+08:00",
        }
        assert body["results"][1]["commission_rate"] == "0.2000"


def test_rate_history_is_scoped_and_read_only(api, member_factory, buyer, merchant, enrollment):
    rate = EnrollmentRate.objects.get(enrollment=enrollment)
    for role in ("merchant", "provider"):
        client = api.as_member(member_factory(role))
        assert client.get(RATES, {"enrollment": enrollment.pk}).json()["count"] == 0
        assert client.get(f"{RATES}{rate.pk}/").status_code == 404
    assert api.as_member(buyer).get(RATES).status_code == 403
    client = api.as_member(merchant)
    assert client.get(f"{RATES}{rate.pk}/").status_code == 200
    assert client.post(RATES, {}, format="json").status_code == 405


def test_rate_history_lists_with_bounded_queries(
    api, merchant, provider, django_assert_max_num_queries
):
    for _ in range(8):
        approved_enrollment(merchant=merchant, provider=provider)
    client = api.as_member(merchant)

    with django_assert_max_num_queries(5):
        body = client.get(RATES).json()

    assert body["count"] == 8
