"""The lineup builder's rules on small, hand-made examples."""

from decimal import Decimal

import pytest

from influencers.lineup_builder import Candidate, Constraints, build_lineup


def item(pk, price, *, score=0.5, category="home", new=False, stock=100, product=None):
    return Candidate(
        enrollment_id=pk, product_id=product, category=category, parent_category="",
        price=Decimal(price), stock=stock, score=score, new_to_buyer=new,
    )  # fmt: skip


def test_it_orders_by_price_into_traffic_middle_and_margin():
    rows = [item(i, 10 * i, score=1 - i / 100, new=i == 5) for i in range(1, 11)]
    plan = build_lineup(rows, Constraints(slots=10, typical_units=100))
    assert [s.enrollment_id for s in plan.slots] == list(range(1, 11))
    assert [s.role for s in plan.slots] == ["traffic"] * 2 + ["hero"] * 2 + ["new"] + [
        "hero"
    ] * 3 + ["margin"] * 2
    assert [s.minutes for s in plan.slots[:3]] == [3, 3, 8]
    assert plan.slots[0].reasons[0] == "Among the best scores still available."
    assert "Traffic item: among the lowest prices (10.00), to pull viewers in." in (
        plan.slots[0].reasons
    )
    assert plan.notes == []


def test_it_takes_one_enrollment_per_product_the_best_scoring():
    rows = [item(1, 10, score=0.4, product=7), item(2, 12, score=0.9, product=7), item(3, 5)]
    plan = build_lineup(rows, Constraints(slots=3))
    assert [s.enrollment_id for s in plan.slots] == [3, 2]
    assert [n.kind for n in plan.notes] == ["duplicate", "short"]


def test_it_caps_the_target_at_stock_and_skips_stock_that_cannot_cover_half():
    # 100 units over 4 slots with 20 % headroom: 30 each; at least 15 in stock
    rows = [item(1, 10, stock=14), item(2, 10, stock=15), item(3, 10, stock=500)]
    plan = build_lineup(rows, Constraints(slots=4, typical_units=100))
    assert [(s.enrollment_id, s.target_units) for s in plan.slots] == [(2, 15), (3, 30)]
    assert plan.notes[0].message == "1 item(s) left out: their stock cannot cover 15 units."


def test_it_reaches_a_minimum_share_before_higher_scores():
    rows = [item(i, 10, score=0.9) for i in range(1, 6)]
    rows += [item(i, 10, score=0.1, category="jewelry") for i in range(6, 9)]
    plan = build_lineup(rows, Constraints(slots=5, category_mix={"jewelry": (0.4, 0.4)}))
    picked = {s.enrollment_id for s in plan.slots}
    assert picked == {6, 7, 1, 2, 3}
    jewelry = next(s for s in plan.slots if s.enrollment_id == 6)
    assert jewelry.reasons[0] == "Picked to reach the minimum share of 40 % for jewelry."


def test_it_reports_a_new_share_it_cannot_reach():
    rows = [item(1, 10, new=True), item(2, 10), item(3, 10)]
    plan = build_lineup(rows, Constraints(slots=3, new_share=0.67))
    assert plan.notes[0].message == "Only 1 of the 3 new items asked for could be placed."


@pytest.mark.parametrize("slots", [0, 121])
def test_it_refuses_a_slot_count_outside_1_to_120(slots):
    with pytest.raises(ValueError):
        build_lineup([], Constraints(slots=slots))
