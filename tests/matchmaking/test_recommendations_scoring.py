"""The scoring model: stock coverage bites, reasons match the parts, the sum is exact."""

from decimal import Decimal

import pytest

from accounts.models import Role
from matchmaking.scoring import PARTS, WEIGHTS
from matchmaking.selectors.recommendations import (
    recommend_buyers_for_enrollment,
    recommend_for_buyer,
)
from tests.factories import OrganisationFactory
from tests.matchmaking.recommendation_helpers import item, on_roster, ongoing_campaign, profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return ongoing_campaign(OrganisationFactory(role=Role.PROVIDER))


def roster_buyer(campaign, **profile_args):
    buyer = OrganisationFactory(role=Role.BUYER)
    profile(buyer, **profile_args)
    on_roster(campaign.provider, buyer)
    return buyer


def test_it_ranks_a_small_stock_item_lower_for_a_big_seller(campaign):
    big = roster_buyer(campaign, units=1000)
    scarce = item(campaign, stock=100)
    plenty = item(campaign, stock=5000)

    ranked = recommend_for_buyer(buyer=big)

    assert [rec.enrollment for rec in ranked] == [plenty, scarce]
    scarce_rec = ranked[1]
    assert scarce_rec.parts["stock"] == Decimal("0.1000")
    assert ranked[0].score >= 10 * scarce_rec.score - Decimal("0.0010")
    assert "Stock 100 covers only 10 % of your typical 1000 units." in scarce_rec.reasons


def test_it_sends_a_small_stock_item_to_the_small_seller(campaign):
    small = roster_buyer(campaign, units=50)
    big = roster_buyer(campaign, units=1000)
    scarce = item(campaign, stock=100)

    ranked = recommend_buyers_for_enrollment(
        enrollment=scarce, buyers=type(small).objects.filter(pk__in=[small.pk, big.pk])
    )

    assert [buyer for buyer, _ in ranked] == [small, big]
    assert ranked[0][1].parts["stock"] == Decimal("1.0000")
    assert ranked[1][1].parts["stock"] == Decimal("0.1000")
    assert ranked[1][1].score < ranked[0][1].score / 5


def test_the_score_is_the_weighted_sum_of_its_parts_times_the_coverage(campaign):
    buyer = roster_buyer(campaign, units=200)
    item(campaign, stock=80, price="129.00")
    item(campaign, stock=900, price="450.00", slug="home")

    for rec in recommend_for_buyer(buyer=buyer):
        weighted = sum(WEIGHTS[name] * rec.parts[name] for name in PARTS)
        assert rec.score == (weighted * rec.parts["stock"]).quantize(Decimal("0.0001"))
        assert set(rec.parts) == set(PARTS)
        assert all(Decimal(0) <= value <= Decimal(1) for value in rec.parts.values())


def test_each_part_has_its_sentence_in_words(campaign):
    buyer = roster_buyer(campaign, units=200, low="50.00", high="300.00")
    in_band = item(campaign, stock=80, price="129.00", rate="0.2000")
    outside = item(campaign, stock=900, price="450.00", slug="home")

    ranked = {rec.enrollment: rec for rec in recommend_for_buyer(buyer=buyer)}

    first = ranked[in_band]
    assert len(first.reasons) == len(PARTS)
    assert first.parts["category"] == Decimal("1.0000")
    assert first.reasons[0] == "Women's clothing is one of your categories."
    assert first.reasons[1] == "Price 129.00 sits in your 50.00–300.00 band."
    assert first.reasons[3] == "Commission 25.80 per sale (20 % of 129.00)."
    assert first.reasons[4] == "You have not promoted it in the last 30 days."
    assert first.reasons[5] == "Stock 80 covers only 40 % of your typical 200 units."
    second = ranked[outside]
    assert second.parts["category"] == Decimal("0.0000")
    assert second.reasons[0].endswith("is not one of your categories.")
    assert second.reasons[1] == "Price 450.00 is above your 50.00–300.00 band."
    assert second.parts["price"] == Decimal("0.5000")
    assert second.reasons[5] == "Stock 900 covers your typical 200 units."


def test_a_child_category_counts_for_its_parent(campaign):
    from merchants.models import Category

    child = Category.objects.filter(parent__slug="womens-clothing").first()
    if child is None:
        pytest.skip("no child category seeded")
    buyer = roster_buyer(campaign, slugs=("womens-clothing",))
    enrollment = item(campaign, slug=child.slug)

    (rec,) = recommend_for_buyer(buyer=buyer)

    assert rec.enrollment == enrollment
    assert rec.parts["category"] == Decimal("1.0000")


def test_an_item_promoted_lately_is_less_fresh(campaign):
    from tests.factories import AffiliateLinkFactory

    buyer = roster_buyer(campaign)
    promoted = item(campaign)
    AffiliateLinkFactory(buyer=buyer, enrollment=promoted)

    (rec,) = recommend_for_buyer(buyer=buyer)

    assert rec.parts["freshness"] == Decimal("0.0000")
    assert rec.reasons[4] == "You promoted it 0 days ago."


def test_past_sales_raise_category_fit_and_conversion(campaign):
    from django.utils import timezone

    from commissions.models import Click
    from tests.factories import AffiliateLinkFactory, attributed_line

    buyer = roster_buyer(campaign, slugs=())
    sold = item(campaign, slug="home")
    other = item(campaign, slug="jewelry")
    link = AffiliateLinkFactory(buyer=buyer, enrollment=sold)
    for n in range(100):
        Click.objects.create(link=link, click_id=f"c{n}", clicked_at=timezone.now(), ip_hash="x")
    for _ in range(10):
        attributed_line(link)

    ranked = {rec.enrollment: rec for rec in recommend_for_buyer(buyer=buyer)}

    assert ranked[sold].parts["category"] == Decimal("0.5000")
    assert ranked[other].parts["category"] == Decimal("0.0000")
    assert ranked[sold].parts["conversion"] > ranked[other].parts["conversion"]
    assert "(10 orders, 100 clicks)" in ranked[sold].reasons[2]


def test_recommendations_take_a_bounded_number_of_queries(campaign, django_assert_max_num_queries):
    buyer = roster_buyer(campaign)
    for n in range(30):
        item(campaign, stock=50 + n)

    with django_assert_max_num_queries(12):
        ranked = recommend_for_buyer(buyer=buyer, limit=20)
        [rec.enrollment.product.category.slug for rec in ranked]

    assert len(ranked) == 20
