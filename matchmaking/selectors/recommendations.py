"""Recommendations: gather a buyer's and the candidates' features in a bounded number of
queries, score every pair with matchmaking.scoring, and load only the winners.

Forward (enrollments for a buyer): the categories, the buyer's profile, its sales and
counted clicks per category (last HISTORY_DAYS days), what it promoted lately, the
candidates as plain values, then the top ``limit`` enrollments: about nine queries
whatever the number of candidates. Reverse (buyers for an enrollment): the same per
buyer, grouped by buyer, again a fixed number of queries.

Every ranking here is matchmaking.scoring.ranked: the shown score, then the lower id,
cut last. The commission part of a buyer's recommendations is measured against its whole
market (what it may promote), whoever asks, so a provider's view, the buyer's own and the
nightly scores give every enrollment the same score and order.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Organisation, Role
from matchmaking import buyer_evidence, scoring
from matchmaking.models import Enrollment, RecommendationScore, RosterMembership
from matchmaking.scoring import BuyerFeatures, Candidate, Recommendation
from matchmaking.selectors.reach import promotable_enrollments
from merchants.models import Category

HISTORY_DAYS = 180
FRESH_HOURS = 36
F_MONEY = ExpressionWrapper(
    F("campaign_price") * F("commission_rate"),
    output_field=DecimalField(max_digits=14, decimal_places=6),
)
ROUGH_FIELDS = (
    "pk", "product__category_id", Cast("campaign_price", FloatField()),
    Cast("commission_rate", FloatField()), "promotion_stock",
)  # fmt: skip
CANDIDATE_FIELDS = (
    "pk", "product__category_id", "campaign_price", "commission_rate", "promotion_stock",
)  # fmt: skip


@dataclass(frozen=True)
class CategoryTree:
    parents: dict[int, int | None]
    names: dict[int, str]

    def root(self, category_id: int) -> int:
        seen = 0
        while self.parents.get(category_id) and seen < 10:
            category_id, seen = self.parents[category_id], seen + 1
        return category_id


def category_tree() -> CategoryTree:
    chinese = (get_language() or "").startswith("zh")
    rows = Category.objects.values_list("pk", "parent_id", "name_en", "name_zh")
    parents, names = {}, {}
    for pk, parent_id, name_en, name_zh in rows:
        parents[pk], names[pk] = parent_id, (name_zh if chinese else name_en)
    return CategoryTree(parents=parents, names=names)


def per_root(tree: CategoryTree, rows) -> dict:
    """{(buyer, root): count} from rows of (buyer, category, count)."""
    totals: dict = {}
    for buyer_id, category_id, count in rows:
        key = (buyer_id, tree.root(category_id))
        totals[key] = totals.get(key, 0) + count
    return totals


def history(buyer_ids: list[int], tree: CategoryTree, since) -> tuple[dict, dict, dict]:
    """Attributed order lines, those of them that came through a recorded click, and counted
    clicks, per (buyer, root category). Conversion divides the second by the third: a line
    credited by link code alone had no click to convert."""
    sold = buyer_evidence.sales(buyer_ids, since)
    sales = [(buyer, category, count) for buyer, category, count, _ in sold]
    clicked = [(buyer, category, by_click) for buyer, category, _, by_click in sold]
    clicks = buyer_evidence.clicks(buyer_ids, since)
    return per_root(tree, sales), per_root(tree, clicked), per_root(tree, clicks)


def last_promoted(buyer_ids: list[int], since, enrollment_ids=None) -> dict:
    """{(buyer, enrollment): date} of links made and lineup slots planned since ``since``."""
    latest: dict = {}
    for buyer_id, enrollment_id, moment in buyer_evidence.promoted(
        buyer_ids, since, enrollment_ids
    ):
        day = min(timezone.localtime(moment).date(), timezone.localdate())
        key = (buyer_id, enrollment_id)
        latest[key] = max(latest.get(key, day), day)
    return latest


def buyer_features(buyers: list[Organisation], tree: CategoryTree, enrollment_ids=None) -> dict:
    """{buyer id: BuyerFeatures} in five queries whatever the number of buyers."""
    now = timezone.now()
    ids = [buyer.pk for buyer in buyers]
    profiles = buyer_evidence.profiles(ids)
    sales, clicked_sales, clicks = history(ids, tree, now - timedelta(days=HISTORY_DAYS))
    promoted = last_promoted(ids, now - timedelta(days=scoring.FRESH_DAYS), enrollment_ids)
    features = {}
    for pk in ids:
        profile = profiles.get(pk)
        extra = {}
        if profile is not None:
            extra = {
                "categories": profile.categories, "price_min": profile.price_min,
                "price_max": profile.price_max, "typical_units": profile.typical_units,
            }  # fmt: skip
        features[pk] = BuyerFeatures(
            today=timezone.localdate(),
            sales_by_root={root: n for (b, root), n in sales.items() if b == pk},
            clicks_by_root={root: n for (b, root), n in clicks.items() if b == pk},
            clicked_sales_by_root={root: n for (b, root), n in clicked_sales.items() if b == pk},
            last_promoted={e: day for (b, e), day in promoted.items() if b == pk},
            **extra,
        )
    return features


def candidates_of(queryset: QuerySet, tree: CategoryTree) -> list[Candidate]:
    rows = queryset.order_by().values_list(*CANDIDATE_FIELDS)
    return [
        Candidate(
            enrollment_id=pk, category_id=category_id, parent_id=tree.parents.get(category_id),
            root_id=tree.root(category_id), price=price, commission_rate=rate, stock=stock,
        )
        for pk, category_id, price, rate, stock in rows
    ]  # fmt: skip


def enrollments_by_id(ids) -> dict[int, Enrollment]:
    queryset = Enrollment.objects.filter(pk__in=list(ids)).select_related(
        "product__category", "product__merchant", "campaign__provider"
    )
    return {enrollment.pk: enrollment for enrollment in queryset}


def market_money(market: QuerySet) -> Decimal:
    """The best commission money (campaign price * rate) among ``market``, exactly."""
    return market.order_by().aggregate(best=Max(F_MONEY))["best"] or Decimal("0")


def plain_rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list straight from the cursor: no per-row converters (its
    columns must come out of the driver as wanted, as ROUGH_FIELDS' ints and floats do).
    A queryset that can match nothing (``none()``, ``__in=[]``) has no SQL: no rows."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def shortlisted(
    candidates: QuerySet,
    tree: CategoryTree,
    features: BuyerFeatures,
    limit: int,
    max_money: Decimal | None,
) -> tuple[list[Candidate], Decimal]:
    """The candidates that may make the top ``limit`` and the exact best commission money
    (``max_money`` when given, else the candidates' own), reading the candidates as floats
    first (see matchmaking.scoring's docstring, "Speed")."""
    rows = plain_rows(candidates.order_by().values_list(*ROUGH_FIELDS))
    if not rows:
        return [], max_money or Decimal("0")
    richest: set[int] = set()
    if max_money is None:
        moneys = [price * rate for _, _, price, rate, _ in rows]
        best_money = max(moneys)
        richest = {
            row[0]
            for row, money in zip(rows, moneys, strict=True)
            if money >= best_money * (1 - 1e-9)
        }
    else:
        best_money = float(max_money)
    roots = {pk: tree.root(pk) for pk in tree.parents}
    constants = scoring.category_constants(features, tree.parents, roots)
    scores = scoring.rough_scores(features, rows, constants, best_money)
    ids = set(scoring.shortlist([row[0] for row in rows], scores, limit))
    items = candidates_of(Enrollment.objects.filter(pk__in=ids | richest), tree)
    if max_money is None:
        max_money = max(item.money for item in items if item.enrollment_id in richest)
    return [item for item in items if item.enrollment_id in ids], max_money


def explained(
    best: list[Candidate], features: BuyerFeatures, tree: CategoryTree, max_money: Decimal
) -> list[Recommendation]:
    """The recommendations of ``best``, in its order, with their parts and reasons."""
    enrollments = enrollments_by_id(item.enrollment_id for item in best)
    return [
        scoring.recommend(
            buyer=features, item=item, enrollment=enrollments[item.enrollment_id],
            max_money=max_money, name=tree.names.get(item.root_id, ""),
        )
        for item in best
    ]  # fmt: skip


def recommend_for_buyer(
    *,
    buyer: Organisation,
    candidates: QuerySet | None = None,
    market: QuerySet | None = None,
    limit: int | None = 20,
) -> list[Recommendation]:
    """The enrollments ``buyer`` should promote, best first (scoring.ranked); ``candidates``
    default to what it may promote (matchmaking.selectors.reach.promotable_enrollments).
    Commission is measured against the best of ``market`` (default: the candidates), which
    must hold the candidates: a part of the market then scores as in the whole. With a
    ``limit``, the candidates are read as floats and only a shortlist is scored exactly
    (same results)."""
    if candidates is None:
        candidates = promotable_enrollments(buyer=buyer)
    tree = category_tree()
    features = buyer_features([buyer], tree)[buyer.pk]
    max_money = None if market is None else market_money(market)
    if limit is None:
        items = candidates_of(candidates, tree)
        if not items:
            return []
        if max_money is None:
            max_money = max(item.money for item in items)
    else:
        items, max_money = shortlisted(candidates, tree, features, limit, max_money)
    scored = [(scoring.shown_score(features, item, max_money), item) for item in items]
    best = scoring.ranked(
        scored, key=lambda row: scoring.ranking_key(row[0], row[1].enrollment_id), limit=limit
    )
    return explained([item for _, item in best], features, tree, max_money)


def recommend_buyers_for_enrollment(
    *, enrollment: Enrollment, buyers: QuerySet, limit: int | None = 20
) -> list[tuple[Organisation, Recommendation]]:
    """The buyers ``enrollment`` suits best. Commission is normalised against the approved
    enrollments of the same campaign (the same for every buyer, so it does not reorder)."""
    tree = category_tree()
    buyer_list = list(buyers)
    features = buyer_features(buyer_list, tree, enrollment_ids=[enrollment.pk])
    item = candidates_of(Enrollment.objects.filter(pk=enrollment.pk), tree)[0]
    peers = Enrollment.objects.filter(
        campaign_id=enrollment.campaign_id, status=Enrollment.Status.APPROVED
    ).aggregate(best=Max(F_MONEY))["best"]
    max_money = max(peers or Decimal("0"), item.money)
    name = tree.names.get(item.root_id, "")
    results = [
        (buyer, scoring.recommend(
            buyer=features[buyer.pk], item=item, enrollment=enrollment, max_money=max_money,
            name=name,
        ))
        for buyer in buyer_list
    ]  # fmt: skip
    return scoring.ranked(
        results, key=lambda pair: scoring.ranking_key(pair[1].score, pair[0].pk), limit=limit
    )


def by_rank(rec: Recommendation) -> tuple[Decimal, int]:
    return scoring.ranking_key(rec.score, rec.enrollment.pk)


def precomputed_for_buyer(
    *, buyer: Organisation, candidates: QuerySet, limit: int
) -> list[Recommendation] | None:
    """The nightly task's rows among ``candidates``, in the ranking order, when the newest is
    under FRESH_HOURS old, else None."""
    rows = RecommendationScore.objects.filter(buyer=buyer)
    newest = rows.aggregate(newest=Max("computed_at"))["newest"]
    if newest is None or newest < timezone.now() - timedelta(hours=FRESH_HOURS):
        return None
    fresh = (
        rows.filter(enrollment__in=candidates.values("pk"))
        .select_related("enrollment__product__category", "enrollment__campaign__provider")
        .order_by(*scoring.RANKING_ORDER)[:limit]
    )
    stored = [
        Recommendation(
            enrollment=row.enrollment, score=row.score,
            parts={name: Decimal(value) for name, value in row.parts.items()},
            reasons=list(row.reasons),
        )
        for row in fresh
    ]  # fmt: skip
    return scoring.ranked(stored, key=by_rank, limit=limit)


# --- who may ask for whom -----------------------------------------------------


def roster_buyer(*, organisation: Organisation, buyer_id: int | None) -> Organisation:
    """A provider asks for a buyer on its ACTIVE roster; a buyer for itself. Anything else is
    404 (no hint that the buyer exists)."""
    if organisation.role == Role.BUYER:
        if buyer_id not in (None, organisation.pk):
            raise Http404
        return organisation
    if buyer_id is None:
        raise Http404
    active = RosterMembership.objects.filter(
        provider=organisation, status=RosterMembership.Status.ACTIVE
    ).values("buyer_id")
    return get_object_or_404(Organisation.objects.filter(pk__in=active), pk=buyer_id)


def candidates_for(*, organisation: Organisation, market: QuerySet) -> QuerySet:
    """What the buyer may promote (``market``); a provider sees only its own campaigns'."""
    if organisation.role == Role.PROVIDER:
        mine = Q(campaign__provider=organisation) | Q(parent__campaign__provider=organisation)
        return market.filter(mine)
    return market


def recommendations_for(*, organisation: Organisation, buyer: Organisation, limit: int) -> list:
    """The caller's part of the buyer's ranking: the nightly scores when fresh, then (when
    fewer than ``limit`` of them are the caller's) the candidates the nightly run did not
    keep, scored live. Those ranked below all it kept when it ran, so this is the live
    ranking of that moment; and the switch does not depend on ``limit``, so a smaller
    limit still gives a prefix of a larger one."""
    market = promotable_enrollments(buyer=buyer)
    candidates = candidates_for(organisation=organisation, market=market)
    measure = market if organisation.role == Role.PROVIDER else None
    stored = precomputed_for_buyer(buyer=buyer, candidates=candidates, limit=limit)
    if stored is None:
        return recommend_for_buyer(buyer=buyer, candidates=candidates, market=measure, limit=limit)
    if len(stored) == limit:
        return stored
    kept = RecommendationScore.objects.filter(buyer=buyer).values("enrollment_id")
    shown = [rec.enrollment.pk for rec in stored]  # if a nightly run replaced them meanwhile
    rest = recommend_for_buyer(
        buyer=buyer, candidates=candidates.exclude(pk__in=kept).exclude(pk__in=shown),
        market=market, limit=limit - len(stored),
    )  # fmt: skip
    return stored + rest


def reverse_enrollment(*, organisation: Organisation, enrollment_id: int) -> Enrollment:
    """The provider of the enrollment's campaign or its merchant; others get 404."""
    mine = Q(campaign__provider=organisation) | Q(product__merchant=organisation)
    queryset = Enrollment.objects.filter(mine).select_related(
        "product__category", "product__merchant", "campaign__provider"
    )
    return get_object_or_404(queryset, pk=enrollment_id)


def reverse_buyers(*, enrollment: Enrollment) -> QuerySet:
    """Buyers on the active roster of the enrollment's campaign provider."""
    return roster_buyers(provider=enrollment.campaign.provider)


def roster_buyers(*, provider: Organisation) -> QuerySet:
    active = RosterMembership.objects.filter(
        provider=provider, status=RosterMembership.Status.ACTIVE
    ).values("buyer_id")
    return Organisation.objects.filter(pk__in=active).order_by("name", "pk")
