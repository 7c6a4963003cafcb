"""The lineup builder: fill N slots (N <= 120) from scored candidates, under the buyer's rules.

A pure function: plain records in, plain records out, no queries. The rules:

- **No duplicates**: one slot per product (the best-scoring enrollment of a product).
- **Stock covers the target**: a slot aims at ``ceil(typical_units / N * HEADROOM)``
  units; its ``target_units`` is that or the promotion stock, whichever is lower.
  A candidate whose stock cannot cover ``MIN_COVER`` of that aim is skipped.
- **Category mix**: optional ``{slug: (min_share, max_share)}``; a candidate counts
  for a slug when its category or its parent category is that slug. Shares are
  of the N slots asked for: at most ``floor(max * N)`` and at least
  ``ceil(min * N)`` slots. The maximum always holds; a minimum the candidates
  cannot reach is reported in ``notes``.
- **New to the buyer**: at least ``ceil(new_share * N)`` slots are items the
  buyer has not had in a lineup before, or a note says why not.
- **Greedy by score**: minimums are met first with the best-scoring candidates
  that count for them, then the remaining slots go to the best scores left,
  never breaking a maximum.
- **Price ladder**: the chosen items are ordered by campaign price, ascending.
  With 3 or more slots the cheapest ``max(1, round(20 % of n))`` are *traffic*
  items (they pull viewers in), the dearest as many are *margin* items (they
  earn), and the middle ones are *new* when new to the buyer, else *hero*. With
  1 or 2 slots every slot is in the middle. So every traffic price <= every
  middle price <= every margin price.

Each slot carries the reasons for its pick in words.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

MAX_SLOTS = 120
HEADROOM = 1.2
MIN_COVER = 0.5
LADDER_SHARE = 0.2
ROLE_MINUTES = {"traffic": 3, "hero": 8, "new": 6, "margin": 5}


@dataclass(frozen=True)
class Candidate:
    enrollment_id: int
    category: str
    parent_category: str
    price: Decimal
    stock: int
    score: float
    new_to_buyer: bool
    product_id: int | None = None  # None: the enrollment is its own product
    reasons: tuple[str, ...] = ()

    @property
    def product(self) -> int:
        return self.product_id if self.product_id is not None else -self.enrollment_id

    def counts_for(self, slug: str) -> bool:
        return slug in (self.category, self.parent_category)


@dataclass(frozen=True)
class Constraints:
    slots: int
    typical_units: int = 100
    category_mix: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    new_share: float = 0.0


@dataclass(frozen=True)
class Slot:
    enrollment_id: int
    role: str
    minutes: int
    target_units: int
    reasons: list[str]


@dataclass(frozen=True)
class Note:
    kind: str  # "short", "category_min", "new_share", "stock", "duplicate"
    message: str
    category: str = ""


@dataclass
class LineupPlan:
    slots: list[Slot]
    notes: list[Note]


@dataclass
class Picking:
    """The selection in progress, with running counts per category slug and of new items."""

    limit: int
    caps: dict[str, int]
    needed_new: int = 0
    chosen: list[Candidate] = field(default_factory=list)
    why: dict[int, list[str]] = field(default_factory=dict)
    per_slug: dict[str, int] = field(default_factory=dict)
    new: int = 0

    def count(self, slug: str) -> int:
        return self.per_slug.get(slug, 0)

    def fits(self, candidate: Candidate) -> bool:
        if len(self.chosen) >= self.limit or candidate.enrollment_id in self.why:
            return False
        return all(
            self.count(slug) < cap for slug, cap in self.caps.items() if candidate.counts_for(slug)
        )

    def take(self, candidate: Candidate, reason: str) -> None:
        self.chosen.append(candidate)
        self.why[candidate.enrollment_id] = [reason]
        for slug in {candidate.category, candidate.parent_category}:
            self.per_slug[slug] = self.count(slug) + 1
        self.new += candidate.new_to_buyer

    def best(self, pool: Sequence[Candidate], wanted) -> Candidate | None:
        """The best-scoring fitting candidate that counts for ``wanted``; while new items are
        still short, a new one is preferred, so one pick serves two minimums."""
        fallback = None
        for candidate in pool:
            if wanted(candidate) and self.fits(candidate):
                if candidate.new_to_buyer or self.new >= self.needed_new:
                    return candidate
                fallback = fallback or candidate
        return fallback


def aimed_units(constraints: Constraints) -> int:
    return max(1, math.ceil(constraints.typical_units / constraints.slots * HEADROOM))


def usable(candidates: Sequence[Candidate], aim: int, notes: list[Note]) -> list[Candidate]:
    """Best first, one per product, only those whose stock covers the minimum target."""
    minimum = max(1, math.ceil(aim * MIN_COVER))
    ranked = sorted(candidates, key=lambda c: (-c.score, c.enrollment_id))
    seen: set[int] = set()
    kept, short, duplicates = [], 0, 0
    for candidate in ranked:
        if candidate.product in seen:
            duplicates += 1
        elif candidate.stock < minimum:
            short += 1
        else:
            seen.add(candidate.product)
            kept.append(candidate)
    if short:
        message = _("%(count)d item(s) left out: their stock cannot cover %(units)d units.")
        notes.append(Note("stock", message % {"count": short, "units": minimum}))
    if duplicates:
        message = _("%d item(s) left out: the same product is already a candidate.")
        notes.append(Note("duplicate", message % duplicates))
    return kept


def meet_minimum(picking: Picking, pool: list[Candidate], wanted, needed: int, reason: str) -> int:
    """Takes the best candidates that count for a minimum; returns how many it still lacks."""
    lacking = needed - sum(1 for c in picking.chosen if wanted(c))
    while lacking > 0:
        candidate = picking.best(pool, wanted)
        if candidate is None:
            break
        picking.take(candidate, reason)
        lacking -= 1
    return max(lacking, 0)


def select(pool: list[Candidate], constraints: Constraints, notes: list[Note]) -> Picking:
    n = constraints.slots
    caps = {
        slug: math.floor(high * n + 1e-9) for slug, (_low, high) in constraints.category_mix.items()
    }
    needed_new = math.ceil(constraints.new_share * n - 1e-9)
    picking = Picking(limit=n, caps=caps, needed_new=needed_new)
    for slug, (low, _high) in sorted(constraints.category_mix.items()):
        needed = math.ceil(low * n - 1e-9)
        reason = _("Picked to reach the minimum share of %(pct)s %% for %(slug)s.") % {
            "pct": percent(low),
            "slug": slug,
        }
        lacking = meet_minimum(picking, pool, lambda c, s=slug: c.counts_for(s), needed, reason)
        if lacking:
            message = _("Only %(have)d of the %(need)d %(slug)s items asked for could be placed.")
            values = {"have": needed - lacking, "need": needed, "slug": slug}
            notes.append(Note("category_min", message % values, category=slug))
    reason = _("Picked to reach the share of %s %% items new to you.") % percent(
        constraints.new_share
    )
    lacking = meet_minimum(picking, pool, lambda c: c.new_to_buyer, needed_new, reason)
    if lacking:
        message = _("Only %(have)d of the %(need)d new items asked for could be placed.")
        notes.append(
            Note("new_share", message % {"have": needed_new - lacking, "need": needed_new})
        )
    for candidate in pool:
        if picking.fits(candidate):
            picking.take(candidate, _("Among the best scores still available."))
    if len(picking.chosen) < n:
        message = _("Only %(have)d of %(need)d slots could be filled under your rules.")
        notes.append(Note("short", message % {"have": len(picking.chosen), "need": n}))
    return picking


def percent(share: float) -> str:
    return f"{share * 100:g}"


def ladder_roles(chosen: Sequence[Candidate]) -> list[str]:
    """Roles by position in the price-ascending order (the rule in the module docstring)."""
    n = len(chosen)
    edge = max(1, round(n * LADDER_SHARE)) if n >= 3 else 0
    roles = []
    for index, candidate in enumerate(chosen):
        if index < edge:
            roles.append("traffic")
        elif index >= n - edge:
            roles.append("margin")
        else:
            roles.append("new" if candidate.new_to_buyer else "hero")
    return roles


ROLE_REASONS = {
    "traffic": gettext_noop(
        "Traffic item: among the lowest prices (%(price)s), to pull viewers in."
    ),
    "margin": gettext_noop("Margin item: among the highest prices (%(price)s), to earn."),
    "hero": gettext_noop("Hero item in the middle of the price ladder (%(price)s)."),
    "new": gettext_noop("New to you, in the middle of the price ladder (%(price)s)."),
}


def build_lineup(candidates: Sequence[Candidate], constraints: Constraints) -> LineupPlan:
    """The lineup for ``constraints.slots`` slots; see the module docstring for the rules."""
    if not 1 <= constraints.slots <= MAX_SLOTS:
        raise ValueError(f"slots must be between 1 and {MAX_SLOTS}")
    notes: list[Note] = []
    aim = aimed_units(constraints)
    picking = select(usable(candidates, aim, notes), constraints, notes)
    ordered = sorted(picking.chosen, key=lambda c: (c.price, c.enrollment_id))
    slots = []
    for candidate, role in zip(ordered, ladder_roles(ordered), strict=True):
        target = min(aim, candidate.stock)
        reasons = [
            *picking.why[candidate.enrollment_id],
            _("Score %s.") % f"{candidate.score:.2f}",
            *candidate.reasons,
            _(ROLE_REASONS[role]) % {"price": f"{candidate.price:.2f}"},
            _("Promotion stock %(stock)d covers a target of %(target)d units.")
            % {"stock": candidate.stock, "target": target},
        ]
        slots.append(Slot(candidate.enrollment_id, role, ROLE_MINUTES[role], target, reasons))
    return LineupPlan(slots=slots, notes=notes)
