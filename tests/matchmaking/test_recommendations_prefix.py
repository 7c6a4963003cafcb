"""Rankings are prefix-consistent: the first n of `limit=m` are exactly `limit=n` (same items,
order and scores), live, from the nightly scores, and in reverse; the order is the shown
score, best first, then the lower id; the nightly scores are the live ones.

The markets are built to tie: prices a cent apart (commission parts that differ far below
the shown 4 places), stock around the buyer's typical units, equal buyers in reverse."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from matchmaking.scoring import PARTS, WEIGHTS
from matchmaking.services import recommendations as recommendation_services
from matchmaking.tasks import precompute_recommendations
from tests.factories import EnrollmentFactory, OrganisationFactory, ProductFactory, category
from tests.matchmaking.recommendation_helpers import on_roster, ongoing_campaign, profile

pytestmark = pytest.mark.django_db
URL = "/api/v1/recommendations/"
REVERSE = "/api/v1/recommendations/buyers/"
LIMITS = (1, 2, 3, 5, 8, 13, 20)
WIDEST = 50
# Few, derandomized examples, not shrunk (each one builds a market): a failure names its
# example and fails again the same way.
TIES = settings(
    max_examples=8, derandomize=True, database=None, deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip

# (cents above 129.00, promotion stock, commission rate, category slug)
ITEM = st.tuples(
    st.integers(0, 3),
    st.sampled_from([60, 99, 100, 101, 500]),
    st.sampled_from(["0.1999", "0.2000", "0.2001"]),
    st.sampled_from(["womens-clothing", "womens-clothing", "home"]),
)
MARKET = st.lists(ITEM, min_size=12, max_size=30)
BUYERS = st.lists(st.sampled_from([40, 99, 100, 101, 250]), min_size=8, max_size=25)


def enroll(campaign, merchant, cents: int, stock: int, rate: str, slug: str = "womens-clothing"):
    price = Decimal("129.00") + Decimal(cents) / 100
    product = ProductFactory(merchant=merchant, category=category(slug), price=price)
    return EnrollmentFactory(
        campaign=campaign, product=product, status="approved", campaign_price=price,
        promotion_stock=stock, commission_rate=Decimal(rate),
    )  # fmt: skip


def build_market(provider, buyer, specs) -> None:
    """The provider's items as drawn, and a rival provider (the buyer is on both rosters) whose
    item pays more commission: the provider's view is a part of the buyer's market."""
    merchant = OrganisationFactory(role=Role.MERCHANT)
    campaign = ongoing_campaign(provider)
    for spec in specs:
        enroll(campaign, merchant, *spec)
    rival = OrganisationFactory(role=Role.PROVIDER)
    enroll(ongoing_campaign(rival), merchant, 300, 500, "0.3000")
    profile(buyer, units=100)
    on_roster(provider, buyer)
    on_roster(rival, buyer)


def rows(client, url: str, params: dict, limit: int) -> list[tuple]:
    response = client.get(url, {**params, "limit": limit})
    assert response.status_code == 200
    key = "enrollment" if url == URL else "buyer"
    return [(row[key], row["score"], row["parts"]) for row in response.json()["results"]]


def assert_ranked_on_the_shown_score(ranked: list[tuple]) -> None:
    """Best shown score first, the lower id first among equal ones; the shown score is the
    weighted sum of the shown parts times the coverage."""
    keys = [(-Decimal(score), pk) for pk, score, _ in ranked]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    for _, score, parts in ranked:
        weighted = sum(WEIGHTS[name] * Decimal(parts[name]) for name in PARTS)
        assert Decimal(score) == (weighted * Decimal(parts["stock"])).quantize(
            Decimal("0.0001"), ROUND_HALF_UP
        )


def prefixes(client, url: str, params: dict) -> list[tuple]:
    """The widest ranking, after checking every smaller limit is its prefix."""
    widest = rows(client, url, params, WIDEST)
    assert_ranked_on_the_shown_score(widest)
    for limit in LIMITS:
        assert rows(client, url, params, limit) == widest[:limit], f"limit={limit}"
    return widest


def test_it_cuts_after_ranking_on_the_shown_score(api, provider, buyer):
    """Ten items a cent apart in price: their scores differ in the 5th place, so several
    are equal as shown, and the lower id of them comes first whatever the limit (the cut
    used to be made on the unrounded score: `limit=1` picked the dearest of them)."""
    specs = [(cents, 500, "0.2000") for cents in range(10)]
    build_market(provider.organisation, buyer.organisation, specs)
    client, params = api.as_member(provider), {"buyer": buyer.organisation.pk}

    widest = prefixes(client, URL, params)

    assert len(widest) == 10
    tied = [pk for pk, score, _ in widest if score == widest[0][1]]
    assert len(tied) >= 2
    assert [pk for pk, _, _ in rows(client, URL, params, 1)] == [min(tied)]


@TIES
@given(specs=MARKET)
def test_live_rankings_are_prefix_consistent(api, provider, buyer, specs):
    with transaction.atomic():
        build_market(provider.organisation, buyer.organisation, specs)

        mine = prefixes(api.as_member(provider), URL, {"buyer": buyer.organisation.pk})
        everything = prefixes(api.as_member(buyer), URL, {})

        assert len(mine) == len(specs) and len(everything) == len(specs) + 1
        assert [row for row in everything if row[0] in {pk for pk, _, _ in mine}] == mine
        transaction.set_rollback(True)


@TIES
@given(specs=MARKET, kept=st.sampled_from([4, 9, 500]))
def test_nightly_scores_rank_as_the_live_ones(api, provider, buyer, specs, kept):
    """Right after the nightly run, the API answers exactly as live, at every limit, also
    when the nightly run kept only the buyer's top ``kept``."""
    with transaction.atomic(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(recommendation_services, "PRECOMPUTED_PER_BUYER", kept)
        build_market(provider.organisation, buyer.organisation, specs)
        clients = [
            (api.as_member(provider), {"buyer": buyer.organisation.pk}),
            (type(api)().as_member(buyer), {}),
        ]
        live = [prefixes(client, URL, params) for client, params in clients]

        assert precompute_recommendations() == 1
        nightly = [prefixes(client, URL, params) for client, params in clients]

        assert nightly == live
        transaction.set_rollback(True)


@TIES
@given(units=BUYERS)
def test_reverse_rankings_are_prefix_consistent(api, provider, units):
    with transaction.atomic():
        merchant = OrganisationFactory(role=Role.MERCHANT)
        enrollment = enroll(ongoing_campaign(provider.organisation), merchant, 0, 100, "0.2000")
        for typical in units:
            buyer = OrganisationFactory(role=Role.BUYER)
            profile(buyer, units=typical)
            on_roster(provider.organisation, buyer)

        ranked = prefixes(api.as_member(provider), REVERSE, {"enrollment": enrollment.pk})

        assert len(ranked) == len(units)
        transaction.set_rollback(True)
