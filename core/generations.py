"""Generation counters in the cache: a cheap way to drop every cached entry derived from some
state at once, without knowing the entries.

A reader stores the counter's value beside what it caches and, on a hit, compares it with the
current value (fetched in the same round trip); a writer bumps the counter after its
transaction commits. Used for the redirect's link lookups: a terminated enrollment, an archived
product or a new storefront address must reach ``/l/<code>`` at once, not after the cache's
lifetime. A cache that is down never fails the writer (the entries expire by themselves).
"""

import logging
import time
from contextlib import suppress

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

PREFIX = "generation:"
# What is promotable and where links lead: bumped when an enrollment stops or starts being
# approved, a product's status or storefront address changes, a campaign is closed by hand.
PROMOTION = "promotion"
# Far longer than any entry it guards; when it lapses, the next bump starts from the clock.
KEEP_SECONDS = 30 * 86400


def key_of(name: str) -> str:
    return PREFIX + name


def bump(name: str) -> None:
    key = key_of(name)
    try:
        cache.incr(key)
    except ValueError:  # never bumped, or evicted: start from the clock, unlike any old value
        cache.add(key, time.time_ns() // 1000, timeout=KEEP_SECONDS) or cache.incr(key)
    except Exception as exc:  # the cache is down: entries expire on their own
        logger.warning("could not bump cache generation %s: %r", name, exc)


def bump_on_commit(name: str) -> None:
    """Bump once the caller's transaction commits (at once outside one)."""
    transaction.on_commit(lambda: bump(name), robust=True)


def current(values: dict, name: str) -> int:
    """The counter's value in the result of a ``cache.get_many`` that asked for ``key_of(name)``."""
    with suppress(TypeError, ValueError):
        return int(values.get(key_of(name)) or 0)
    return 0
