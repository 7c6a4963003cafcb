"""Build a draft livestream's lineup with influencers.lineup_builder, then write it as usual.

The candidates are what the buyer may promote now
(matchmaking.selectors.reach.promotable_enrollments). Their scores come from
the recommender (matchmaking.selectors.recommendations.recommend_for_buyer);
the best POOL_SIZE candidates go to the builder. The result replaces the lineup through
influencers.services.livestreams.update_livestream, so the buyer edits it as
any other lineup.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.services import ensure_can_write
from core.errors import Conflict, DomainError, ensure
from influencers.lineup_builder import MAX_SLOTS, Candidate, Constraints, LineupPlan, build_lineup
from influencers.locks import lock_livestream
from influencers.models import BuyerProfile, LineupSlot, Livestream
from influencers.services.livestreams import SlotPlan, update_livestream
from matchmaking.selectors.reach import promotable_enrollments
from matchmaking.selectors.recommendations import recommend_for_buyer
from merchants.models import Category

POOL_SIZE = 600
DEFAULT_TYPICAL_UNITS = 100
FEATURES = (
    "pk", "product_id", "product__category__slug", "product__category__parent__slug",
    "campaign_price", "promotion_stock",
)  # fmt: skip


@dataclass(frozen=True)
class Scored:
    enrollment_id: int
    score: float
    reasons: tuple[str, ...]


def recommender_scores(*, buyer: Organisation, candidates: QuerySet) -> list[Scored]:
    """The recommender's scores and reasons of the candidates."""
    return [
        Scored(rec.enrollment.pk, float(rec.score), tuple(rec.reasons[:3]))
        for rec in recommend_for_buyer(buyer=buyer, candidates=candidates, limit=POOL_SIZE)
    ]


def gather_candidates(*, buyer: Organisation, livestream: Livestream) -> list[Candidate]:
    """Scored candidates with their features, in a bounded number of queries."""
    reachable = promotable_enrollments(buyer=buyer)
    scored = recommender_scores(buyer=buyer, candidates=reachable)
    by_id = {row.enrollment_id: row for row in scored}
    features = reachable.filter(pk__in=list(by_id)).order_by().values_list(*FEATURES)
    seen_products = set(
        LineupSlot.objects.filter(livestream__buyer=buyer)
        .exclude(livestream=livestream)
        .values_list("enrollment__product_id", flat=True)
    )
    return [
        Candidate(
            enrollment_id=pk, product_id=product_id, category=slug or "",
            parent_category=parent or "", price=price, stock=stock,
            score=min(max(by_id[pk].score, 0.0), 1.0),
            new_to_buyer=product_id not in seen_products, reasons=by_id[pk].reasons,
        )
        for pk, product_id, slug, parent, price, stock in features
    ]  # fmt: skip


def check_rules(
    *, slots: int, category_mix: Mapping[str, tuple[Decimal, Decimal]], new_share: Decimal
) -> Constraints:
    ensure(
        1 <= slots <= MAX_SLOTS,
        DomainError(_("Ask for 1 to %d slots.") % MAX_SLOTS, field="slots"),
    )
    known = set(Category.objects.filter(slug__in=list(category_mix)).values_list("slug", flat=True))
    for slug, (low, high) in category_mix.items():
        ensure(slug in known, DomainError(_("Unknown category %s.") % slug, field="category_mix"))
        ensure(
            0 <= low <= high <= 1,
            DomainError(
                _("Shares of %s go from 0 to 1, the minimum not above the maximum.") % slug,
                field="category_mix",
            ),
        )
    ensure(0 <= new_share <= 1, DomainError(_("Give a share from 0 to 1."), field="new_share"))
    mix = {slug: (float(low), float(high)) for slug, (low, high) in category_mix.items()}
    return Constraints(slots=slots, category_mix=mix, new_share=float(new_share))


def typical_units(buyer: Organisation) -> int:
    units = (
        BuyerProfile.objects.filter(organisation=buyer)
        .values_list("typical_units_per_livestream", flat=True)
        .first()
    )
    return units or DEFAULT_TYPICAL_UNITS


def build_livestream_lineup(
    *,
    by: User,
    livestream_id: int,
    slots: int,
    category_mix: Mapping[str, tuple[Decimal, Decimal]] | None = None,
    new_share: Decimal = Decimal(0),
) -> tuple[Livestream, LineupPlan]:
    """Replaces a draft livestream's lineup with the best items under the buyer's rules
    (matchmaking.lineup_builder); returns the livestream and the plan with its reasons."""
    ensure_can_write(by)
    rules = check_rules(slots=slots, category_mix=category_mix or {}, new_share=new_share)
    buyer = by.organisation
    with transaction.atomic():
        livestream = lock_livestream(livestream_id, buyer=by.organisation)
        ensure(
            livestream.status == Livestream.Status.DRAFT,
            Conflict(_("Only a draft livestream's lineup can be built.")),
        )
        rules = Constraints(
            slots=rules.slots, typical_units=typical_units(buyer),
            category_mix=rules.category_mix, new_share=rules.new_share,
        )  # fmt: skip
        plan = build_lineup(gather_candidates(buyer=buyer, livestream=livestream), rules)
        plans = [
            SlotPlan(slot.enrollment_id, slot.role, slot.minutes, slot.target_units)
            for slot in plan.slots
        ]
        livestream = update_livestream(by=by, livestream_id=livestream.pk, slots=plans)
    return livestream, plan
