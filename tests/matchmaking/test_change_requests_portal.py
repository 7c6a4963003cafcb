"""Change requests in the portal: the merchant's list and form, the provider's queue (htmx),
and an enrollment's rate history."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from matchmaking.models import ChangeRequest, Enrollment
from tests.matchmaking.test_change_requests_api import NOON, approved_enrollment, pending_request

pytestmark = pytest.mark.django_db

LIST = "/change-requests/"
NEW = "/change-requests/new/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def enrollment(merchant, provider):
    return approved_enrollment(merchant=merchant, provider=provider)


def page(client, user, url, **kwargs):
    client.force_login(user)
    response = client.get(url, **kwargs)
    return response, response.content.decode()


# --- merchant ----------------------------------------------------------------


def test_the_merchant_sees_its_requests_and_that_they_cannot_be_withdrawn(
    client, merchant, provider, member_factory, django_assert_max_num_queries
):
    for _ in range(5):
        pending_request(approved_enrollment(merchant=merchant, provider=provider))
    rejected = pending_request(
        approved_enrollment(merchant=merchant, provider=provider),
        status="rejected",
        reason="Rates are fixed until May.",
    )
    theirs = approved_enrollment(merchant=member_factory("merchant"), provider=provider)
    pending_request(theirs)
    client.force_login(merchant)

    with django_assert_max_num_queries(8):
        response = client.get(LIST)

    body = response.content.decode()
    assert response.status_code == 200
    assert "A request cannot be withdrawn or edited once it is sent" in body
    assert body.count("accepted automatically in 7 days unless decided") == 5
    assert "Rates are fixed until May." in body
    assert rejected.enrollment.product.title in body
    assert theirs.product.title not in body
    assert "25 % commission + 10 % service fee" in body
    assert reverse("enrollment-rate-history", args=[rejected.enrollment_id]) in body


def test_the_form_offers_only_the_merchants_approved_enrollments(
    client, merchant, provider, member_factory, enrollment
):
    pending = approved_enrollment(merchant=merchant, provider=provider)
    Enrollment.objects.filter(pk=pending.pk).update(status="pending")
    theirs = approved_enrollment(merchant=member_factory("merchant"), provider=provider)

    response, body = page(client, merchant, NEW, data={"enrollment": enrollment.pk})

    assert response.status_code == 200
    assert f'<option value="{enrollment.pk}" selected>' in body
    assert f'value="{pending.pk}"' not in body
    assert f'value="{theirs.pk}"' not in body
    assert "20 % commission + 10 % service fee" in body
    assert "A sent request cannot be withdrawn." in body


def test_the_merchant_asks_for_a_rate_change_in_percent(client, merchant, enrollment):
    client.force_login(merchant)

    response = client.post(
        NEW,
        {"enrollment": enrollment.pk, "kind": "rate_change", "commission_rate": "25.5",
         "service_fee_rate": "", "note": "Peak season"},
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == LIST
    change_request = ChangeRequest.objects.get()
    assert change_request.commission_rate == Decimal("0.2550")
    assert change_request.service_fee_rate == Decimal("0.1000")
    assert change_request.note == "Peak season"
    assert "The service provider has 7 days to decide." in client.get(LIST).content.decode()


def test_the_merchant_asks_for_a_cancellation(client, merchant, enrollment):
    client.force_login(merchant)

    client.post(NEW, {"enrollment": enrollment.pk, "kind": "cancellation", "note": "Sold out"})

    change_request = ChangeRequest.objects.get()
    assert change_request.kind == "cancellation"
    assert change_request.commission_rate is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"commission_rate": "15"}, "The commission rate must be at least 20 % in this campaign."),
        ({"commission_rate": "20"}, "The new rate is the same as the current one."),
        ({"commission_rate": ""}, "Give the new commission rate."),
        (
            {"commission_rate": "25", "service_fee_rate": "5"},
            "The service-fee rate must be at least 10 % in this campaign.",
        ),
    ],
)
def test_the_form_shows_the_rule_that_refused_it(client, merchant, enrollment, data, message):
    client.force_login(merchant)

    response = client.post(NEW, {"enrollment": enrollment.pk, "kind": "rate_change", **data})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_the_form_says_when_a_request_is_already_waiting(client, merchant, enrollment):
    pending_request(enrollment)
    client.force_login(merchant)

    response = client.post(NEW, {"enrollment": enrollment.pk, "kind": "cancellation"})

    assert "A change request is already waiting for this enrollment." in response.content.decode()
    assert ChangeRequest.objects.count() == 1


def test_providers_and_buyers_cannot_open_the_form(client, provider, buyer):
    for user in (provider, buyer):
        client.force_login(user)
        assert client.get(NEW).status_code == 403


# --- provider ----------------------------------------------------------------


def test_the_provider_queue_shows_current_against_requested_and_days_left(
    client, merchant, provider, member_factory, django_assert_max_num_queries
):
    with time_machine.travel(NOON, tick=False):
        enrollments = [approved_enrollment(merchant=merchant, provider=provider) for _ in range(5)]
        for enrollment in enrollments:
            pending_request(enrollment, commission_rate=Decimal("0.1500"), note="Margins shrank")
        elsewhere = approved_enrollment(merchant=merchant, provider=member_factory("provider"))
        pending_request(elsewhere)
    client.force_login(provider)

    later = NOON + timedelta(days=4, hours=1)
    with time_machine.travel(later, tick=False), django_assert_max_num_queries(8):
        response = client.get(LIST)

    body = response.content.decode()
    assert body.count("20 % commission + 10 % service fee") == 5
    assert body.count("15 % commission + 10 % service fee") == 5
    assert body.count(">3 days<") == 5
    assert "Margins shrank" in body
    assert elsewhere.product.title not in body
    assert body.count('hx-post="/change-requests/') == 10


def test_the_provider_accepts_with_htmx_and_the_row_updates(client, provider, enrollment):
    change_request = pending_request(enrollment, commission_rate=Decimal("0.3000"))
    client.force_login(provider)

    response = client.post(f"{LIST}{change_request.pk}/accept/", **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="change-request-{change_request.pk}">')
    assert "The change request is accepted." in body
    assert "hx-post" not in body
    enrollment.refresh_from_db()
    assert enrollment.commission_rate == Decimal("0.3000")


def test_the_provider_rejects_with_a_reason(client, provider, enrollment):
    change_request = pending_request(enrollment)
    client.force_login(provider)

    response = client.post(f"{LIST}{change_request.pk}/reject/", {"reason": "Not now"}, **HTMX)

    assert "The change request is rejected." in response.content.decode()
    change_request.refresh_from_db()
    assert (change_request.status, change_request.reason) == ("rejected", "Not now")


def test_without_htmx_a_decision_redirects_with_a_message(client, provider, enrollment):
    change_request = pending_request(enrollment)
    client.force_login(provider)

    response = client.post(f"{LIST}{change_request.pk}/accept/", follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert "The change request is accepted." in response.content.decode()


def test_deciding_twice_shows_why_not(client, provider, enrollment):
    change_request = pending_request(enrollment)
    client.force_login(provider)
    client.post(f"{LIST}{change_request.pk}/reject/", **HTMX)

    response = client.post(f"{LIST}{change_request.pk}/accept/", **HTMX)

    assert "This change request was already decided." in response.content.decode()


def test_only_the_campaigns_active_provider_decides(
    client, merchant, member_factory, pending_provider, enrollment
):
    change_request = pending_request(enrollment)
    url = f"{LIST}{change_request.pk}/accept/"

    client.force_login(merchant)
    assert client.post(url, **HTMX).status_code == 403
    client.force_login(member_factory("provider"))
    assert client.post(url, **HTMX).status_code == 404
    own = pending_request(approved_enrollment(merchant=merchant, provider=pending_provider))
    client.force_login(pending_provider)
    assert client.post(f"{LIST}{own.pk}/accept/", **HTMX).status_code == 403
    assert "must be approved before you can decide" in client.get(LIST).content.decode()
    assert ChangeRequest.objects.filter(status="pending").count() == 2


def test_a_buyer_cannot_open_change_requests(client, buyer):
    client.force_login(buyer)

    assert client.get(LIST).status_code == 403


# --- rate history ------------------------------------------------------------


def test_both_sides_see_the_rate_history(
    client, merchant, provider, enrollment, django_assert_max_num_queries
):
    change_request = pending_request(enrollment, commission_rate=Decimal("0.1500"))
    client.force_login(provider)
    client.post(f"{LIST}{change_request.pk}/accept/")
    url = reverse("enrollment-rate-history", args=[enrollment.pk])

    for user in (merchant, provider):
        client.force_login(user)
        with django_assert_max_num_queries(8):
            response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200
        assert body.count("<tr>") == 3  # header and two rates
        assert "15 %" in body
        assert "20 %" in body
        assert "notice running" in body


def test_the_rate_history_is_hidden_from_others(client, member_factory, buyer, enrollment):
    url = reverse("enrollment-rate-history", args=[enrollment.pk])

    for role in ("merchant", "provider"):
        client.force_login(member_factory(role))
        assert client.get(url).status_code == 404
    client.force_login(buyer)
    assert client.get(url).status_code == 403


def test_merchants_and_providers_find_change_requests_in_the_navigation(
    client, merchant, provider, buyer
):
    for user in (merchant, provider):
        client.force_login(user)
        assert f'href="{LIST}"' in client.get("/").content.decode()
    client.force_login(buyer)
    assert f'href="{LIST}"' not in client.get("/").content.decode()
