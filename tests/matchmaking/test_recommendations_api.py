"""GET /api/v1/recommendations/ and /recommendations/buyers/: who may ask for whom."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from matchmaking.models import RecommendationScore
from matchmaking.tasks import precompute_recommendations
from tests.factories import OrganisationFactory, UserFactory
from tests.matchmaking.recommendation_helpers import item, on_roster, ongoing_campaign, profile

URL = "/api/v1/recommendations/"
REVERSE = "/api/v1/recommendations/buyers/"


@pytest.fixture
def market(provider, buyer, merchant):
    campaign = ongoing_campaign(provider.organisation)
    profile(buyer.organisation, units=200)
    on_roster(provider.organisation, buyer.organisation)
    enrollment = item(campaign, stock=80)
    enrollment.product.merchant = merchant.organisation
    enrollment.product.save()
    return {"campaign": campaign, "enrollment": enrollment}


def test_it_ranks_enrollments_for_a_roster_buyer(api, provider, buyer, market):
    response = api.as_member(provider).get(URL, {"buyer": buyer.organisation.pk, "limit": 5})

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["enrollment"] == market["enrollment"].pk
    assert set(row["parts"]) == {
        "category", "price", "conversion", "commission", "freshness", "stock",
    }  # fmt: skip
    assert row["parts"]["stock"] == "0.4000"
    assert "Stock 80 covers only 40 % of your typical 200 units." in row["reasons"]
    assert Decimal(row["score"]) > 0


def test_a_buyer_asks_for_itself_only(api, buyer, market):
    client = api.as_member(buyer)
    assert client.get(URL).json()["count"] == 1
    assert client.get(URL, {"buyer": buyer.organisation.pk}).status_code == 200
    other = OrganisationFactory(role=Role.BUYER)
    assert client.get(URL, {"buyer": other.pk}).status_code == 404


def test_a_provider_sees_only_its_own_roster(api, provider, market):
    stranger = OrganisationFactory(role=Role.BUYER)
    other_provider = OrganisationFactory(role=Role.PROVIDER)
    on_roster(other_provider, stranger)
    invited = OrganisationFactory(role=Role.BUYER)
    on_roster(provider.organisation, invited).__class__.objects.filter(buyer=invited).update(
        status="invited"
    )
    client = api.as_member(provider)

    assert client.get(URL, {"buyer": stranger.pk}).status_code == 404
    assert client.get(URL, {"buyer": invited.pk}).status_code == 404
    assert client.get(URL).status_code == 400


def test_a_provider_sees_only_its_own_campaigns_items(api, provider, buyer, market):
    rival = OrganisationFactory(role=Role.PROVIDER)
    on_roster(rival, buyer.organisation)
    theirs = item(ongoing_campaign(rival))

    response = api.as_member(provider).get(URL, {"buyer": buyer.organisation.pk})

    ids = [row["enrollment"] for row in response.json()["results"]]
    assert ids == [market["enrollment"].pk]
    assert theirs.pk in [
        row["enrollment"] for row in api.as_member(buyer).get(URL).json()["results"]
    ]


def test_wrong_roles_get_403(api, merchant, market):
    assert api.as_member(merchant).get(URL).status_code == 403
    assert (
        api.as_member(UserFactory(organisation=OrganisationFactory(role=Role.BUYER)))
        .get(REVERSE, {"enrollment": market["enrollment"].pk})
        .status_code
        == 403
    )


def test_a_pending_provider_sees_no_one(api, pending_provider, buyer, market):
    response = api.as_member(pending_provider).get(URL, {"buyer": buyer.organisation.pk})
    assert response.status_code == 404


def test_reverse_ranks_roster_buyers_for_the_provider_and_the_merchant(
    api, provider, merchant, buyer, market
):
    small = OrganisationFactory(role=Role.BUYER)
    profile(small, units=40)
    on_roster(provider.organisation, small)
    params = {"enrollment": market["enrollment"].pk}

    for member in (provider, merchant):
        body = api.as_member(member).get(REVERSE, params).json()
        assert [row["buyer"] for row in body["results"]] == [small.pk, buyer.organisation.pk]
        assert body["results"][0]["parts"]["stock"] == "1.0000"


def test_reverse_is_404_for_other_organisations(api, member_factory, market):
    for role in (Role.PROVIDER, Role.MERCHANT):
        outsider = member_factory(role)
        response = api.as_member(outsider).get(REVERSE, {"enrollment": market["enrollment"].pk})
        assert response.status_code == 404


def test_list_queries_are_bounded(api, provider, buyer, market, django_assert_max_num_queries):
    for n in range(25):
        item(market["campaign"], stock=10 * n + 1)
    client = api.as_member(provider)
    with django_assert_max_num_queries(18):
        response = client.get(URL, {"buyer": buyer.organisation.pk, "limit": 20})
    assert len(response.json()["results"]) == 20
    with django_assert_max_num_queries(18):
        client.get(REVERSE, {"enrollment": market["enrollment"].pk})


def test_the_nightly_task_is_idempotent_and_serves_the_api(api, provider, buyer, market):
    item(market["campaign"], stock=900)

    assert precompute_recommendations() == 1
    first = list(RecommendationScore.objects.values_list("enrollment_id", "score", "parts"))
    assert precompute_recommendations() == 1
    second = list(RecommendationScore.objects.values_list("enrollment_id", "score", "parts"))

    assert len(first) == 2 and sorted(first) == sorted(second)
    RecommendationScore.objects.filter(enrollment=market["enrollment"]).update(score="0.9999")
    body = api.as_member(provider).get(URL, {"buyer": buyer.organisation.pk}).json()
    assert body["results"][0]["enrollment"] == market["enrollment"].pk
    assert body["results"][0]["score"] == "0.9999"


def test_stale_precomputed_scores_are_ignored(api, provider, buyer, market):
    precompute_recommendations()
    RecommendationScore.objects.update(
        score="0.9999", computed_at=timezone.now() - timedelta(hours=37)
    )
    body = api.as_member(provider).get(URL, {"buyer": buyer.organisation.pk}).json()
    assert body["results"][0]["score"] != "0.9999"


def test_a_buyer_on_no_roster_gets_an_empty_list(api, buyer):
    response = api.as_member(buyer).get(URL)

    assert response.status_code == 200
    assert response.json()["results"] == []
