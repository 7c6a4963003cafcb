"""What the recommender knows of buyers beyond matchmaking's own tables: their profiles
(influencers), their sales and clicks (commissions), what they promoted lately (both).

Those apps stand above matchmaking, so they hand it over: each registers its sources when it
starts (its ``AppConfig.ready``), and matchmaking imports none of them. A kind with several
sources (what was promoted: links and lineup slots) gets all their rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Profile:
    """The parts of a buyer's profile that ranking reads."""

    categories: frozenset[int]
    price_min: Decimal
    price_max: Decimal
    typical_units: int


# buyer ids -> {buyer id: Profile}
ProfileSource = Callable[[list[int]], dict[int, Profile]]
# buyer ids, since -> rows of (buyer id, category id, lines, lines through a recorded click)
SalesSource = Callable[[list[int], datetime], list[tuple[int, int, int, int]]]
# buyer ids, since -> rows of (buyer id, category id, counted clicks)
ClicksSource = Callable[[list[int], datetime], list[tuple[int, int, int]]]
# buyer ids, since, enrollment ids or None -> rows of (buyer id, enrollment id, when)
PromotedSource = Callable[[list[int], datetime, list[int] | None], list[tuple[int, int, datetime]]]

_sources: dict[str, list[Callable[..., Any]]] = {
    "profiles": [], "sales": [], "clicks": [], "promoted": [],
}  # fmt: skip


def provide(kind: str, source: Callable[..., Any]) -> None:
    """Register a source of ``kind`` (profiles, sales, clicks, promoted); once is enough."""
    if source not in _sources[kind]:
        _sources[kind].append(source)


def profiles(buyer_ids: list[int]) -> dict[int, Profile]:
    found: dict[int, Profile] = {}
    for source in _sources["profiles"]:
        found.update(source(buyer_ids))
    return found


def sales(buyer_ids: list[int], since: datetime) -> list[tuple[int, int, int, int]]:
    return [row for source in _sources["sales"] for row in source(buyer_ids, since)]


def clicks(buyer_ids: list[int], since: datetime) -> list[tuple[int, int, int]]:
    return [row for source in _sources["clicks"] for row in source(buyer_ids, since)]


def promoted(
    buyer_ids: list[int], since: datetime, enrollment_ids: list[int] | None
) -> list[tuple[int, int, datetime]]:
    return [
        row for source in _sources["promoted"] for row in source(buyer_ids, since, enrollment_ids)
    ]
