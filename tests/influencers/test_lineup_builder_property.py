"""The lineup builder's constraints hold for any candidates and rules (property test)."""

import math
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from influencers.lineup_builder import MIN_COVER, Candidate, Constraints, aimed_units, build_lineup

SLUGS = ["womens-clothing", "home", "jewelry", "bags"]
PARENTS = {"womens-clothing": "apparel", "home": "living", "jewelry": "apparel", "bags": "apparel"}


@st.composite
def candidates(draw):
    count = draw(st.integers(min_value=0, max_value=60))
    rows = []
    for enrollment_id in range(1, count + 1):
        slug = draw(st.sampled_from(SLUGS))
        rows.append(
            Candidate(
                enrollment_id=enrollment_id,
                product_id=draw(st.integers(min_value=1, max_value=45)),
                category=slug,
                parent_category=PARENTS[slug],
                price=Decimal(draw(st.integers(min_value=100, max_value=99999))) / 100,
                stock=draw(st.integers(min_value=0, max_value=300)),
                score=draw(st.floats(min_value=0, max_value=1)),
                new_to_buyer=draw(st.booleans()),
            )
        )
    return rows


@st.composite
def constraints(draw):
    mix = {}
    for slug in draw(st.lists(st.sampled_from([*SLUGS, "apparel"]), unique=True, max_size=3)):
        low = draw(st.sampled_from([0, 0.1, 0.2, 0.3, 0.5]))
        high = draw(st.sampled_from([0.2, 0.4, 0.6, 1.0]))
        mix[slug] = (min(low, high), max(low, high))
    return Constraints(
        slots=draw(st.integers(min_value=1, max_value=120)),
        typical_units=draw(st.integers(min_value=1, max_value=2000)),
        category_mix=mix,
        new_share=draw(st.sampled_from([0, 0.1, 0.25, 0.5, 1.0])),
    )


ORDER = {"traffic": 0, "hero": 1, "new": 1, "margin": 2}


@settings(max_examples=300, deadline=None)
@given(candidates(), constraints())
def test_it_always_keeps_the_buyers_rules(rows, rules):
    plan = build_lineup(rows, rules)
    by_id = {row.enrollment_id: row for row in rows}
    chosen = [by_id[slot.enrollment_id] for slot in plan.slots]
    noted = {(note.kind, note.category) for note in plan.notes}
    n = rules.slots

    assert len(plan.slots) <= n
    if len(plan.slots) < n:
        assert ("short", "") in noted
    assert len({row.product for row in chosen}) == len(chosen), "one slot per product"

    aim = aimed_units(rules)
    for slot, row in zip(plan.slots, chosen, strict=True):
        assert 1 <= slot.target_units <= row.stock
        assert slot.target_units == min(aim, row.stock)
        assert row.stock >= math.ceil(aim * MIN_COVER)
        assert slot.reasons

    for slug, (low, high) in rules.category_mix.items():
        count = sum(1 for row in chosen if row.counts_for(slug))
        assert count <= math.floor(high * n + 1e-9)
        if count < math.ceil(low * n - 1e-9):
            assert ("category_min", slug) in noted
    new = sum(1 for row in chosen if row.new_to_buyer)
    if new < math.ceil(rules.new_share * n - 1e-9):
        assert ("new_share", "") in noted

    prices = [row.price for row in chosen]
    assert prices == sorted(prices)
    ranks = [ORDER[slot.role] for slot in plan.slots]
    assert ranks == sorted(ranks), "traffic, then hero/new, then margin"
    for slot, row in zip(plan.slots, chosen, strict=True):
        if slot.role == "new":
            assert row.new_to_buyer


@settings(max_examples=100, deadline=None)
@given(constraints())
def test_it_meets_every_feasible_rule_when_candidates_abound(rules):
    """Plenty of well-stocked candidates in every category, half of them new: nothing unmet
    as long as the minimums fit together in N slots."""
    rows = [
        Candidate(
            enrollment_id=i, category=SLUGS[i % 4], parent_category=PARENTS[SLUGS[i % 4]],
            price=Decimal(10 + i), stock=10_000, score=(i * 37 % 101) / 100,
            new_to_buyer=(i // 4) % 2 == 0,
        )
        for i in range(1, 8 * 120 + 1)
    ]  # fmt: skip
    mix = dict(rules.category_mix)
    mix.pop("apparel", None)
    total_min = sum(math.ceil(low * rules.slots - 1e-9) for low, _high in mix.values())
    total_max = sum(math.floor(high * rules.slots + 1e-9) for _low, high in mix.values())
    uncovered = [s for s in SLUGS if s not in mix]
    crossed = any(
        math.ceil(low * rules.slots - 1e-9) > math.floor(high * rules.slots + 1e-9)
        for low, high in mix.values()
    )
    if crossed or total_min > rules.slots or (not uncovered and total_max < rules.slots):
        return
    plan = build_lineup(rows, Constraints(rules.slots, rules.typical_units, mix, rules.new_share))
    assert plan.notes == []
    assert len(plan.slots) == rules.slots
