"""The float shortlist keeps the exact top N with all its ties (pure scoring, no database):
the shown score is within EXACT_ERROR of the float score, and ranking the shortlist gives
what ranking every candidate gives, at every limit."""

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaking import scoring
from matchmaking.scoring import BuyerFeatures, Candidate

PARENTS = {1: None, 2: 1, 3: None}  # 2 is a child of 1
ROOTS = {1: 1, 2: 1, 3: 3}
PART = st.floats(min_value=0, max_value=1, allow_nan=False)
EXAMPLES = settings(max_examples=200, derandomize=True, database=None, deadline=None)


@EXAMPLES
@given(parts=st.fixed_dictionaries(dict.fromkeys(scoring.PARTS, PART)))
def test_the_shown_score_is_within_exact_error_of_the_float_score(parts):
    shown = scoring.exact_score(scoring.quantized(parts))

    assert abs(float(shown) - scoring.float_score(parts)) <= scoring.EXACT_ERROR


@st.composite
def markets(draw) -> tuple[BuyerFeatures, list[Candidate]]:
    """Candidates a few cents and units apart, so that many scores tie or nearly tie."""
    buyer = BuyerFeatures(
        today=date(2025, 3, 1), categories=frozenset({1}), price_min=Decimal("50.00"),
        price_max=Decimal(draw(st.sampled_from(["129.01", "300.00"]))),
        typical_units=draw(st.sampled_from([1, 100, 101])),
        sales_by_root=draw(st.sampled_from([{}, {1: 3, 3: 1}])),
        clicks_by_root={1: 40, 3: 7},
    )  # fmt: skip
    items = []
    for pk in range(1, draw(st.integers(2, 60)) + 1):
        category_id = draw(st.sampled_from([1, 2, 3]))
        items.append(
            Candidate(
                enrollment_id=pk, category_id=category_id, parent_id=PARENTS[category_id],
                root_id=ROOTS[category_id],
                price=Decimal("129.00") + Decimal(draw(st.integers(0, 3))) / 100,
                commission_rate=Decimal(draw(st.sampled_from(["0.1999", "0.2000", "0.2001"]))),
                stock=draw(st.sampled_from([60, 99, 100, 101, 500])),
            )
        )  # fmt: skip
    return buyer, items


def exact_ranking(buyer, items, max_money, limit) -> list[tuple[int, Decimal]]:
    scored = [(scoring.shown_score(buyer, item, max_money), item.enrollment_id) for item in items]
    best = scoring.ranked(scored, key=lambda row: scoring.ranking_key(*row), limit=limit)
    return [(pk, score) for score, pk in best]


@EXAMPLES
@given(market=markets(), limit=st.integers(1, 20))
def test_the_shortlist_ranks_as_every_candidate(market, limit):
    buyer, items = market
    max_money = max(item.money for item in items)
    rows = [
        (item.enrollment_id, item.category_id, float(item.price), float(item.commission_rate),
         item.stock)
        for item in items
    ]  # fmt: skip
    constants = scoring.category_constants(buyer, PARENTS, ROOTS)
    rough = scoring.rough_scores(buyer, rows, constants, float(max_money))
    kept = set(scoring.shortlist([row[0] for row in rows], rough, limit))

    everything = exact_ranking(buyer, items, max_money, None)
    shortlisted = [item for item in items if item.enrollment_id in kept]

    assert exact_ranking(buyer, shortlisted, max_money, limit) == everything[:limit]
