from datetime import timedelta

import pytest
from django.utils import timezone

from influencers.models import SampleRequest
from tests.factories import EnrollmentFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db


def close_sample(buyer_org, status, days_ago):
    closed = timezone.now() - timedelta(days=days_ago)
    return SampleRequest.objects.create(
        buyer=buyer_org,
        enrollment=EnrollmentFactory(status="approved"),
        status=status,
        approve_by=closed,
        closed_at=closed,
    )


def test_a_buyer_reads_and_edits_its_profile(api, buyer):
    client = api.as_member(buyer)

    response = client.patch(
        "/api/v1/profile/",
        {
            "handle": "xiaolu",
            "platform": "douyin",
            "followers": 120000,
            "categories": ["womens-clothing", "bags"],
            "price_band_min": "50.00",
            "price_band_max": "300.00",
            "typical_units_per_livestream": 400,
        },
        format="json",
    )

    assert response.status_code == 200
    body = client.get("/api/v1/profile/").json()
    assert body["handle"] == "xiaolu"
    assert body["followers"] == 120000
    assert sorted(body["categories"]) == ["bags", "womens-clothing"]
    assert body["price_band_max"] == "300.00"
    assert body["fulfilment_rate"] is None


def test_the_price_band_runs_upwards(api, buyer):
    response = api.as_member(buyer).patch(
        "/api/v1/profile/", {"price_band_min": "300.00", "price_band_max": "50.00"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"price_band_max": ["The price band must start below where it ends."]}


def test_the_price_band_cannot_start_below_zero(api, buyer):
    response = api.as_member(buyer).patch(
        "/api/v1/profile/", {"price_band_min": "-55"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "price_band_min": ["Ensure this value is greater than or equal to 0."]
    }


def test_the_service_refuses_a_negative_price_band(buyer):
    from core.errors import DomainError
    from influencers.services.profiles import update_profile

    with pytest.raises(DomainError) as refused:
        update_profile(by=buyer, price_band_min=-1)

    assert refused.value.field == "price_band_min"


@pytest.mark.parametrize("role", ["merchant", "provider"])
def test_other_roles_have_no_buyer_profile(api, member_factory, role):
    assert api.as_member(member_factory(role)).get("/api/v1/profile/").status_code == 403


def test_fulfilment_rate_counts_the_last_90_days(api, buyer):
    organisation = buyer.organisation
    for _ in range(3):
        close_sample(organisation, "fulfilled", days_ago=10)
    close_sample(organisation, "unfulfilled", days_ago=20)
    close_sample(organisation, "unfulfilled", days_ago=120)  # too old to count
    close_sample(organisation, "withdrawn", days_ago=5)  # not a verdict on the buyer

    assert api.as_member(buyer).get("/api/v1/profile/").json()["fulfilment_rate"] == "0.7500"


def test_the_profile_lists_active_roster_providers(api, buyer):
    RosterMembershipFactory(buyer=buyer.organisation, provider__name="Alpha Picks")
    RosterMembershipFactory(buyer=buyer.organisation, provider__name="Ended Co", status="ended")

    providers = api.as_member(buyer).get("/api/v1/profile/").json()["providers"]

    assert [p["name"] for p in providers] == ["Alpha Picks"]


def test_the_portal_profile_page_saves(client, buyer):
    client.force_login(buyer)

    response = client.post(
        "/profile/",
        {
            "handle": "xiaolu",
            "platform": "kuaishou",
            "followers": "5000",
            "price_band_min": "10",
            "price_band_max": "99",
            "typical_units_per_livestream": "50",
            "audience_notes": "",
            "categories": [],
        },
    )

    assert response.status_code == 302
    assert buyer.organisation.buyer_profile.platform == "kuaishou"
