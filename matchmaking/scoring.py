"""The recommender's scoring model: pure maths over features gathered beforehand.

No query runs in here: matchmaking/selectors/recommendations.py gathers a buyer's
features and the candidates' in a bounded number of queries, then calls these
functions once per pair.

score = (sum of WEIGHTS[part] * part) * stock, every part in 0..1:

- category (0.30): the buyer's profile categories (a child category counts for its
  parent) and, once it has sold something, the share of its past sales in the
  item's top-level category, half and half.
- price (0.20): 1 inside the buyer's price band, decaying with the relative
  distance outside it (half at 50 % beyond the edge).
- conversion (0.15): the buyer's orders / counted clicks in the category,
  smoothed towards PRIOR_CONVERSION with SMOOTHING_CLICKS pseudo-clicks, mapped
  to rate / (rate + PRIOR_CONVERSION), so 0.5 means "no better than typical".
- commission (0.20): campaign_price * commission_rate, over the largest of the
  market it is measured in (the buyer's whole market for its recommendations, whoever
  asks; the campaign's approved enrollments for buyers ranked for an enrollment).
- freshness (0.10): 1 if the buyer has not promoted the item (link or lineup slot)
  in the last FRESH_DAYS days, else days since / FRESH_DAYS.
- stock (0.05, and a multiplier): coverage = min(1, promotion_stock / the buyer's
  typical units per livestream). The whole score is multiplied by it, so a big
  seller is not sent stock it would wipe out and a small merchant's stock goes to
  sellers it can serve.

Ranking: every ranking (enrollments for a buyer, live or from the nightly scores, and
buyers for an enrollment) is ordered by ``ranking_key``: the score as shown (4 places,
``exact_score`` of the shown parts), best first, then the lower id. The order is total,
and the cut to ``limit`` comes after it (``ranked``), so the first n of ``limit=m`` are
exactly ``limit=n`` whatever the limit, the database's row order or the cache.

Speed: ``rough_scores`` is the same formula over plain floats (no Candidate, no
Decimal), with the parts that depend only on the category computed once per
category. It only SHORTLISTS: its scores differ from ``float_score``'s by float
rounding (under ROUGH_MARGIN), and ``float_score`` from the shown score by at most
EXACT_ERROR, so ``shortlist`` keeps everything within SHORTLIST_MARGIN of the N-th rough
score, which holds the exact top N with all its ties; the shortlist is then scored
exactly and ranked with ``ranked``, so the results are those of scoring every pair exactly.
"""

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from django.utils.translation import gettext as _

from matchmaking.models import Enrollment

PARTS = ("category", "price", "conversion", "commission", "freshness", "stock")
WEIGHTS = {
    "category": Decimal("0.30"),
    "price": Decimal("0.20"),
    "conversion": Decimal("0.15"),
    "commission": Decimal("0.20"),
    "freshness": Decimal("0.10"),
    "stock": Decimal("0.05"),
}
FLOAT_WEIGHTS = {part: float(weight) for part, weight in WEIGHTS.items()}
PRIOR_CONVERSION = 0.02
SMOOTHING_CLICKS = 50
FRESH_DAYS = 30
PRICE_HALF_DISTANCE = 0.5
ROUGH_MARGIN = 1e-9
# |exact_score(quantized(p)) - float_score(p)| for parts p in 0..1 with weights summing to 1:
# each shown part is off by <= 0.00005, so the weighted sum by <= 0.00005; times the shown
# coverage (<= 1, itself off by <= 0.00005) <= 0.0001; the final rounding adds 0.00005.
EXACT_ERROR = 1.5e-4
# An item of the exact top N has a rough score >= the N-th rough score - 2 * (both errors);
# the 1e-12 covers the rounding of the subtraction itself.
SHORTLIST_MARGIN = 2 * (EXACT_ERROR + ROUGH_MARGIN) + 1e-12
# ranking_key in SQL, for the stored (nightly) scores.
RANKING_ORDER = ("-score", "enrollment_id")
FOUR = Decimal("0.0001")
TWO = Decimal("0.01")


@dataclass(frozen=True)
class Recommendation:
    enrollment: Enrollment
    score: Decimal  # 0..1, 4 places
    parts: dict[str, Decimal]  # category, price, conversion, commission, freshness, stock
    reasons: list[str]  # one sentence per part, in words


@dataclass(frozen=True)
class BuyerFeatures:
    """What the scoring knows of a buyer; category ids are top-level (root) ids where noted."""

    today: date
    categories: frozenset[int] = frozenset()  # profile categories, as chosen
    price_min: Decimal = Decimal("0")
    price_max: Decimal = Decimal("1000")
    typical_units: int = 100
    sales_by_root: dict[int, int] = field(default_factory=dict)  # root -> attributed lines
    clicks_by_root: dict[int, int] = field(default_factory=dict)  # root -> counted clicks
    # root -> attributed lines that came through a recorded click: what conversion divides
    clicked_sales_by_root: dict[int, int] = field(default_factory=dict)
    last_promoted: dict[int, date] = field(default_factory=dict)  # enrollment id -> date


@dataclass(frozen=True)
class Candidate:
    """One enrollment, as plain values (cheap to load by the hundred thousand)."""

    enrollment_id: int
    category_id: int
    parent_id: int | None
    root_id: int
    price: Decimal
    commission_rate: Decimal
    stock: int

    @property
    def money(self) -> Decimal:
        return self.price * self.commission_rate


def category_part(buyer: BuyerFeatures, item: Candidate) -> float:
    chosen = item.category_id in buyer.categories or item.parent_id in buyer.categories
    profile = 1.0 if chosen else 0.0
    if not buyer.sales_by_root:
        return profile
    best = max(buyer.sales_by_root.values())
    return 0.5 * profile + 0.5 * buyer.sales_by_root.get(item.root_id, 0) / best


def price_part(buyer: BuyerFeatures, item: Candidate) -> float:
    price, low, high = float(item.price), float(buyer.price_min), float(buyer.price_max)
    if low <= price <= high:
        return 1.0
    distance = (low - price) / low if price < low else (price - high) / max(high, 0.01)
    return 1.0 / (1.0 + distance / PRICE_HALF_DISTANCE)


def conversion_rate(buyer: BuyerFeatures, root_id: int) -> float:
    orders = buyer.clicked_sales_by_root.get(root_id, 0)
    clicks = buyer.clicks_by_root.get(root_id, 0)
    return (orders + SMOOTHING_CLICKS * PRIOR_CONVERSION) / (clicks + SMOOTHING_CLICKS)


def conversion_part(buyer: BuyerFeatures, item: Candidate) -> float:
    rate = conversion_rate(buyer, item.root_id)
    return rate / (rate + PRIOR_CONVERSION)


def freshness_part(buyer: BuyerFeatures, item: Candidate) -> float:
    last = buyer.last_promoted.get(item.enrollment_id)
    if last is None:
        return 1.0
    return min(1.0, max(0, (buyer.today - last).days) / FRESH_DAYS)


def stock_part(buyer: BuyerFeatures, item: Candidate) -> float:
    return min(1.0, item.stock / max(buyer.typical_units, 1))


def float_parts(buyer: BuyerFeatures, item: Candidate, max_money: Decimal) -> dict[str, float]:
    return {
        "category": category_part(buyer, item),
        "price": price_part(buyer, item),
        "conversion": conversion_part(buyer, item),
        "commission": float(item.money / max_money) if max_money > 0 else 0.0,
        "freshness": freshness_part(buyer, item),
        "stock": stock_part(buyer, item),
    }


def float_score(parts: dict[str, float]) -> float:
    """The ranking score in floats, the same formula as ``exact_score``."""
    return sum(FLOAT_WEIGHTS[name] * value for name, value in parts.items()) * parts["stock"]


def category_constants(
    buyer: BuyerFeatures, parents: dict[int, int | None], roots: dict[int, int]
) -> dict[int, float]:
    """{category id: weighted category + conversion parts}, which depend on the category only."""
    constants = {}
    for category_id, parent_id in parents.items():
        item = Candidate(category_id, category_id, parent_id, roots[category_id], 0, 0, 0)
        constants[category_id] = FLOAT_WEIGHTS["category"] * category_part(
            buyer, item
        ) + FLOAT_WEIGHTS["conversion"] * conversion_part(buyer, item)
    return constants


def rough_scores(
    buyer: BuyerFeatures, rows: list[tuple], constants: dict[int, float], max_money: float
) -> list[float]:
    """float_score of rows of (enrollment id, category id, price, commission rate, stock),
    all floats, up to float rounding. Only for shortlisting (see the module docstring)."""
    low, high = float(buyer.price_min), float(buyer.price_max)
    low_scale, high_scale = low * PRICE_HALF_DISTANCE, max(high, 0.01) * PRICE_HALF_DISTANCE
    units = max(buyer.typical_units, 1)
    fresh = {
        pk: freshness_part(buyer, Candidate(pk, 0, None, 0, 0, 0, 0)) for pk in buyer.last_promoted
    }
    w_price, w_money = FLOAT_WEIGHTS["price"], FLOAT_WEIGHTS["commission"]
    w_fresh, w_stock = FLOAT_WEIGHTS["freshness"], FLOAT_WEIGHTS["stock"]
    money_scale = w_money / max_money if max_money > 0 else 0.0
    scores = []
    append = scores.append
    for pk, category_id, price, rate, stock in rows:
        if price < low:
            price_value = 1.0 / (1.0 + (low - price) / low_scale)
        elif price > high:
            price_value = 1.0 / (1.0 + (price - high) / high_scale)
        else:
            price_value = 1.0
        coverage = min(1.0, stock / units)
        append(
            (
                constants[category_id] + w_price * price_value + money_scale * price * rate
                + w_fresh * fresh.get(pk, 1.0) + w_stock * coverage
            )
            * coverage
        )  # fmt: skip
    return scores


def shortlist(ids: list[int], scores: list[float], limit: int) -> list[int]:
    """The ids whose rough score may reach the exact top ``limit`` (ties and rounding kept)."""
    if len(ids) <= limit:
        return list(ids)
    threshold = heapq.nlargest(limit, scores)[-1] - SHORTLIST_MARGIN
    return [pk for pk, score in zip(ids, scores, strict=True) if score >= threshold]


def exact_score(parts: dict[str, Decimal]) -> Decimal:
    """Weighted sum of the parts, times the stock coverage (the penalty), to 4 places."""
    weighted = sum((WEIGHTS[name] * parts[name] for name in PARTS), Decimal("0"))
    return (weighted * parts["stock"]).quantize(FOUR, ROUND_HALF_UP)


def quantized(parts: dict[str, float]) -> dict[str, Decimal]:
    return {name: Decimal(str(parts[name])).quantize(FOUR, ROUND_HALF_UP) for name in PARTS}


def shown_score(buyer: BuyerFeatures, item: Candidate, max_money: Decimal) -> Decimal:
    """The score a recommendation shows (and is ranked on), without its reasons."""
    return exact_score(quantized(float_parts(buyer, item, max_money)))


def ranking_key(score: Decimal, pk: int) -> tuple[Decimal, int]:
    """The one order of every ranking: the shown score, best first, then the lower id."""
    return (-score, pk)


Row = TypeVar("Row")


def ranked(
    rows: Iterable[Row], *, key: Callable[[Row], tuple[Decimal, int]], limit: int | None
) -> list[Row]:
    """The first ``limit`` rows (all when None) in the order of ``key`` (a ``ranking_key``).
    The order is total and the cut comes last, so ranked(limit=n) == ranked(limit=m)[:n]."""
    if limit is None:
        return sorted(rows, key=key)
    return heapq.nsmallest(limit, rows, key=key)


def percent(value: float) -> str:
    return f"{value * 100:.0f}"


def category_reason(buyer: BuyerFeatures, item: Candidate, name: str) -> str:
    chosen = item.category_id in buyer.categories or item.parent_id in buyer.categories
    sold = buyer.sales_by_root.get(item.root_id, 0)
    if chosen and sold:
        return _("%(category)s is one of your categories and you sold %(count)s there.") % {
            "category": name, "count": sold,
        }  # fmt: skip
    if chosen:
        return _("%(category)s is one of your categories.") % {"category": name}
    if sold:
        return _("You sold %(count)s in %(category)s, outside your chosen categories.") % {
            "category": name, "count": sold,
        }  # fmt: skip
    return _("%(category)s is not one of your categories.") % {"category": name}


def price_reason(buyer: BuyerFeatures, item: Candidate) -> str:
    values = {
        "price": item.price.quantize(TWO), "low": buyer.price_min.quantize(TWO),
        "high": buyer.price_max.quantize(TWO),
    }  # fmt: skip
    if item.price < buyer.price_min:
        return _("Price %(price)s is below your %(low)s–%(high)s band.") % values
    if item.price > buyer.price_max:
        return _("Price %(price)s is above your %(low)s–%(high)s band.") % values
    return _("Price %(price)s sits in your %(low)s–%(high)s band.") % values


def conversion_reason(buyer: BuyerFeatures, item: Candidate, name: str) -> str:
    clicks = buyer.clicks_by_root.get(item.root_id, 0)
    if not clicks:
        return _("No clicks of yours in %(category)s yet: typical conversion assumed.") % {
            "category": name
        }
    sentence = _(
        "Your conversion in %(category)s is %(rate)s %% (%(orders)s orders, %(clicks)s clicks)."
    )
    return sentence % {
        "category": name, "orders": buyer.clicked_sales_by_root.get(item.root_id, 0),
        "clicks": clicks,
        "rate": f"{conversion_rate(buyer, item.root_id) * 100:.1f}",
    }  # fmt: skip


def freshness_reason(buyer: BuyerFeatures, item: Candidate) -> str:
    last = buyer.last_promoted.get(item.enrollment_id)
    if last is None:
        return _("You have not promoted it in the last %(days)s days.") % {"days": FRESH_DAYS}
    return _("You promoted it %(days)s days ago.") % {"days": max(0, (buyer.today - last).days)}


def stock_reason(buyer: BuyerFeatures, item: Candidate, coverage: float) -> str:
    values = {"stock": item.stock, "units": buyer.typical_units, "share": percent(coverage)}
    if coverage < 1:
        return (
            _("Stock %(stock)s covers only %(share)s %% of your typical %(units)s units.") % values
        )
    return _("Stock %(stock)s covers your typical %(units)s units.") % values


def reasons_for(
    buyer: BuyerFeatures, item: Candidate, parts: dict[str, float], name: str
) -> list[str]:
    """One sentence per part, in the order of PARTS."""
    commission = _("Commission %(money)s per sale (%(rate)s %% of %(price)s).") % {
        "money": item.money.quantize(TWO, ROUND_HALF_UP), "price": item.price.quantize(TWO),
        "rate": percent(float(item.commission_rate)),
    }  # fmt: skip
    return [
        category_reason(buyer, item, name),
        price_reason(buyer, item),
        conversion_reason(buyer, item, name),
        commission,
        freshness_reason(buyer, item),
        stock_reason(buyer, item, parts["stock"]),
    ]


def recommend(
    *, buyer: BuyerFeatures, item: Candidate, enrollment: Enrollment, max_money: Decimal, name: str
) -> Recommendation:
    """The exact, explained recommendation of one pair."""
    raw = float_parts(buyer, item, max_money)
    parts = quantized(raw)
    return Recommendation(
        enrollment=enrollment, score=exact_score(parts), parts=parts,
        reasons=reasons_for(buyer, item, raw, name),
    )  # fmt: skip
