from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from matchmaking.models import Assortment, AssortmentItem
from tests.factories import (
    CampaignFactory,
    EnrollmentFactory,
    ProductFactory,
    RosterMembershipFactory,
    category,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ongoing(buyer):
    """An ongoing campaign of a provider on the buyer's roster."""
    campaign = CampaignFactory(
        status="ongoing", promotion_start=timezone.localdate() - timedelta(days=1)
    )
    RosterMembershipFactory(provider=campaign.provider, buyer=buyer.organisation)
    return campaign


def browse(api, buyer, **params):
    response = api.as_member(buyer).get("/api/v1/catalogue/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_buyer_sees_roster_campaigns_and_shared_assortments_only(api, buyer, ongoing):
    on_roster = EnrollmentFactory(status="approved", campaign=ongoing)
    EnrollmentFactory(status="pending", campaign=ongoing)
    EnrollmentFactory(
        status="approved", campaign=CampaignFactory(status="ongoing")
    )  # not on roster
    not_started = EnrollmentFactory(
        status="approved", campaign=CampaignFactory(provider=ongoing.provider)
    )
    other_provider = CampaignFactory(
        status="ongoing", promotion_start=timezone.localdate() - timedelta(days=1)
    )
    shared = EnrollmentFactory(status="approved", campaign=other_provider)
    assortment = Assortment.objects.create(provider=other_provider.provider, name="Picks")
    assortment.buyers.add(buyer.organisation)
    AssortmentItem.objects.create(assortment=assortment, enrollment=shared, position=1)

    ids = {row["id"] for row in browse(api, buyer)["results"]}

    assert ids == {on_roster.pk, shared.pk}
    assert not_started.pk not in ids


def test_each_card_shows_commission_in_money_stock_and_samples(api, buyer, ongoing):
    EnrollmentFactory(
        status="approved", campaign=ongoing, campaign_price=Decimal("99.90"),
        commission_rate=Decimal("0.2250"), promotion_stock=80, product__sample_stock=0,
    )  # fmt: skip

    card = browse(api, buyer)["results"][0]

    assert card["commission"] == "22.48"  # 99.90 x 22.50 % = 22.4775, half up
    assert card["commission_rate"] == "0.2250"
    assert card["campaign_price"] == "99.90"
    assert card["stock_left"] == 80
    assert card["sample_available"] is False
    assert card["has_open_sample"] is False


def test_filters(api, buyer, ongoing):
    dress = EnrollmentFactory(
        status="approved", campaign=ongoing, campaign_price=Decimal("120.00"),
        product=ProductFactory(category=category("dresses")), promotion_stock=10,
    )  # fmt: skip
    bag = EnrollmentFactory(
        status="approved", campaign=ongoing, campaign_price=Decimal("300.00"),
        commission_rate=Decimal("0.3000"), product=ProductFactory(category=category("bags")),
        promotion_stock=500,
    )  # fmt: skip

    def ids(**params):
        return [row["id"] for row in browse(api, buyer, **params)["results"]]

    assert ids(category="womens-clothing") == [dress.pk]  # a child category counts
    assert ids(max_price="200") == [dress.pk]
    assert ids(min_commission_rate="0.25") == [bag.pk]
    assert ids(min_stock="100") == [bag.pk]
    assert set(ids(campaign=str(ongoing.pk))) == {dress.pk, bag.pk}


def test_sorts(api, buyer, ongoing):
    cheap = EnrollmentFactory(
        status="approved", campaign=ongoing, campaign_price=Decimal("50.00"), promotion_stock=900
    )
    dear = EnrollmentFactory(
        status="approved", campaign=ongoing, campaign_price=Decimal("500.00"), promotion_stock=5
    )

    def ids(sort):
        return [row["id"] for row in browse(api, buyer, sort=sort)["results"]]

    assert ids("commission") == [dear.pk, cheap.pk]
    assert ids("price") == [cheap.pk, dear.pk]
    assert ids("stock") == [cheap.pk, dear.pk]


def test_a_bad_filter_names_the_parameter(api, buyer, ongoing):
    response = api.as_member(buyer).get("/api/v1/catalogue/", {"min_price": "cheap"})

    assert response.status_code == 400
    assert response.json() == {"min_price": ["Give a number."]}


@pytest.mark.parametrize("role", ["merchant", "provider"])
def test_only_buyers_browse(api, member_factory, role):
    assert api.as_member(member_factory(role)).get("/api/v1/catalogue/").status_code == 403


def test_the_page_is_bounded(api, buyer, ongoing, django_assert_max_num_queries):
    for _ in range(30):
        EnrollmentFactory(status="approved", campaign=ongoing)
    client = api.as_member(buyer)

    # session, user, two reach id lists, count, page (whatever the number of rows)
    with django_assert_max_num_queries(7):
        assert client.get("/api/v1/catalogue/").json()["count"] == 30
