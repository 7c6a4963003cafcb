"""Second level: P1 re-offers an approved enrollment through P2's campaign."""

from decimal import Decimal

import pytest
import time_machine

from accounts.models import Role
from matchmaking.models import Enrollment, EnrollmentRate
from matchmaking.services.second_level import provider_rates
from tests.factories import CampaignFactory, EnrollmentFactory, ProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/enrollments/"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


@pytest.fixture
def p1(provider):
    return provider


@pytest.fixture
def p2(member_factory):
    return member_factory(Role.PROVIDER)


@pytest.fixture
def first(p1, merchant):
    return EnrollmentFactory(
        campaign=CampaignFactory(provider=p1.organisation),
        product=ProductFactory(merchant=merchant.organisation),
        status="approved",
    )


@pytest.fixture
def p2_campaign(p2):
    return CampaignFactory(provider=p2.organisation, service_fee_rate=Decimal("0.0500"))


def reoffer(api, user, first, campaign, **overrides):
    data = {"campaign": campaign.pk, "service_fee_rate": "0.0900", **overrides}
    return api.as_member(user).post(f"{URL}{first.pk}/reoffer/", data, format="json")


def test_p1_reoffers_an_approved_enrollment_through_p2s_campaign(api, p1, first, p2_campaign):
    response = reoffer(api, p1, first, p2_campaign, promotion_stock=50)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["parent"] == first.pk
    assert body["campaign"] == p2_campaign.pk
    assert body["product"] == first.product_id
    assert body["commission_rate"] == "0.2000"
    assert body["service_fee_rate"] == "0.0900"
    assert body["campaign_price"] == "159.00"
    assert body["promotion_stock"] == 50
    assert body["status"] == "pending"


def test_the_second_level_rate_is_capped_at_90_percent_of_the_first(api, p1, first, p2_campaign):
    response = reoffer(api, p1, first, p2_campaign, service_fee_rate="0.0901")

    assert response.status_code == 400
    assert response.json()["service_fee_rate"] == [
        "A second level's service-fee rate can be at most 9 % (90 % of 10 %)."
    ]
    assert Enrollment.objects.count() == 1


def test_the_second_level_still_pays_at_least_p2s_campaign_rate(api, p1, first, p2_campaign):
    response = reoffer(api, p1, first, p2_campaign, service_fee_rate="0.0400")

    assert response.status_code == 400
    assert response.json()["service_fee_rate"] == [
        "The service-fee rate must be at least 5 % in this campaign."
    ]


def test_promotion_stock_is_at_most_the_first_levels(api, p1, first, p2_campaign):
    response = reoffer(api, p1, first, p2_campaign, promotion_stock=201)

    assert response.status_code == 400
    assert response.json()["promotion_stock"] == [
        "A re-offer's promotion stock can be at most the first level's (200)."
    ]


def test_p1_cannot_reoffer_through_its_own_campaign(api, p1, first):
    own = CampaignFactory(provider=p1.organisation, service_fee_rate=Decimal("0.0500"))

    response = reoffer(api, p1, first, own)

    assert response.status_code == 400
    assert response.json() == {
        "campaign": ["Re-offer through another provider's campaign, not your own."]
    }


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_p2s_campaign_must_be_open_for_registration(api, p1, first, p2_campaign, status):
    p2_campaign.status = status
    p2_campaign.save()

    response = reoffer(api, p1, first, p2_campaign)

    assert response.status_code == 400
    assert response.json() == {"campaign": ["Choose a campaign that is open for registration."]}


@pytest.mark.parametrize("status", ["pending", "rejected", "terminated", "expired"])
def test_only_an_approved_enrollment_can_be_reoffered(api, p1, first, p2_campaign, status):
    first.status = status
    first.save()

    response = reoffer(api, p1, first, p2_campaign)

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Only an approved enrollment can be re-offered; this one is {status}."
    }


def test_the_merchant_cannot_reoffer(api, merchant, first, p2_campaign):
    response = reoffer(api, merchant, first, p2_campaign)

    assert response.status_code == 403


def test_p2_cannot_reoffer_what_it_cannot_see(api, p2, first, p2_campaign):
    assert reoffer(api, p2, first, p2_campaign).status_code == 404


def test_a_pending_provider_cannot_reoffer(api, member_factory, merchant, p2_campaign):
    pending = member_factory(Role.PROVIDER, status="pending")
    first = EnrollmentFactory(
        campaign=CampaignFactory(provider=pending.organisation), status="approved"
    )

    assert reoffer(api, pending, first, p2_campaign).status_code == 403


def test_a_reoffer_cannot_be_reoffered_again(api, p1, p2, first, p2_campaign, member_factory):
    second = Enrollment.objects.get(pk=reoffer(api, p1, first, p2_campaign).json()["id"])
    second.status = "approved"
    second.save()
    p3_campaign = CampaignFactory(
        provider=member_factory(Role.PROVIDER).organisation, service_fee_rate=Decimal("0.0100")
    )

    response = reoffer(api, p2, second, p3_campaign, service_fee_rate="0.0500")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "A re-offer cannot be re-offered again: there are only two levels."
    }


def test_p1_p2_and_the_merchant_see_the_second_level_others_get_404(
    api, p1, p2, merchant, first, p2_campaign, member_factory
):
    second_id = reoffer(api, p1, first, p2_campaign).json()["id"]

    for insider in (p1, p2, merchant):
        client = api.as_member(insider)
        assert client.get(f"{URL}{second_id}/").status_code == 200
        assert second_id in [row["id"] for row in client.get(URL).json()["results"]]
    for role in (Role.PROVIDER, Role.MERCHANT):
        assert api.as_member(member_factory(role)).get(f"{URL}{second_id}/").status_code == 404


def test_p2_reviews_the_second_level_p1_cannot(api, p1, p2, first, p2_campaign):
    second_id = reoffer(api, p1, first, p2_campaign).json()["id"]
    second = Enrollment.objects.get(pk=second_id)

    assert api.as_member(p1).post(f"{URL}{second_id}/approve/").status_code == 403
    response = api.as_member(p2).post(f"{URL}{second_id}/approve/")

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert EnrollmentRate.objects.get(enrollment=second).service_fee_rate == Decimal("0.0900")


def test_p1_may_withdraw_its_pending_reoffer(api, p1, first, p2_campaign):
    second_id = reoffer(api, p1, first, p2_campaign).json()["id"]

    response = api.as_member(p1).post(f"{URL}{second_id}/withdraw/")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_a_reoffer_cannot_be_approved_once_the_first_level_ended(api, p1, p2, first, p2_campaign):
    second_id = reoffer(api, p1, first, p2_campaign).json()["id"]
    Enrollment.objects.filter(pk=first.pk).update(status="expired")

    response = api.as_member(p2).post(f"{URL}{second_id}/approve/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The first-level enrollment is expired, so this re-offer cannot be approved."
    }


def test_terminating_the_first_level_ends_its_reoffers(api, p1, p2, first, p2_campaign):
    pending_id = reoffer(api, p1, first, p2_campaign).json()["id"]

    api.as_member(p1).post(f"{URL}{first.pk}/terminate/", {"reason_text": "Ended"}, format="json")

    assert Enrollment.objects.get(pk=pending_id).status == "withdrawn"


def test_provider_rates_split_the_first_levels_fee(api, p1, p2, first, p2_campaign):
    second = Enrollment.objects.get(pk=reoffer(api, p1, first, p2_campaign).json()["id"])

    assert provider_rates(first) == [(p1.organisation.pk, Decimal("0.1000"))]
    assert provider_rates(second) == [
        (p2.organisation.pk, Decimal("0.0900")),
        (p1.organisation.pk, Decimal("0.0100")),
    ]
