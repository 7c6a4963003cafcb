"""Per-address request limits kept in the cache (Redis in production).

A sliding window per address, estimated from two fixed ones: the hits of this window plus the
previous window's, weighted by how much of it still lies within the last full period. A fixed
window alone would let twice the rate through across a boundary (a burst at 0:59, another at
1:00). Each key names its window, so one INCR counts a request and the key expires by itself
(nothing to reset, no read-modify-write race); the previous window's count comes back in the
same round trip. Every request counts, refused ones too: an address that keeps hammering stays
limited. Rates are settings such as ``"120/min"``; an empty setting means no limit.

If the cache cannot count, the request goes through: a limit is a brake on floods, never a
reason to fail a request (the redirect promises a 302 even when Redis is down). After a failure
the limiter stays out of the way for ``RETRY_AFTER`` seconds, so an outage costs one failed call
and one log line, not one per request.
"""

import functools
import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0
# The forms people write: "600" (a minute), "600/min", "10/s", "36000/h", "2/day".
RATE_FORM = re.compile(r"^\s*(?P<count>\d+)\s*(?:/\s*(?P<period>[a-z]+)\s*)?$", re.IGNORECASE)
PERIODS = {
    "s": 1, "sec": 1, "second": 1,
    "m": 60, "min": 60, "minute": 60,
    "h": 3600, "hr": 3600, "hour": 3600,
    "d": 86400, "day": 86400,
}  # fmt: skip

_down_until = 0.0


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


@functools.lru_cache(maxsize=64)
def parse_rate(text: str) -> Rate | None:
    """``"600/min"`` -> 600 requests a minute; a bare number counts a minute; periods are
    s, m, h and d, their longer names and plurals; "" -> None (no limit). Anything else is a
    ValueError that says what to write: settings refuse it when they load."""
    if not text.strip():
        return None
    form = RATE_FORM.match(text)
    period = (form["period"] or "min").lower() if form else ""
    if len(period) > 2:  # plurals: "mins", "hours"; but "ms" is not a plural of "m"
        period = period.removesuffix("s")
    seconds = PERIODS.get(period)
    if not form or not seconds or int(form["count"]) < 1:
        raise ValueError(
            f"{text!r} is not a rate: write requests per period, such as 600 (a minute), "
            "600/min, 10/s or 36000/h, or leave it empty for no limit"
        )
    return Rate(count=int(form["count"]), seconds=seconds)


def rate_setting(name: str) -> Rate | None:
    return parse_rate(getattr(settings, name, "") or "")


def count_hit(key: str, previous_key: str, *, timeout: int) -> tuple[int, int]:
    """Count a hit under ``key``; returns it with the count under ``previous_key``."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One round trip: INCR, a fresh EXPIRE and the previous window's GET in a pipeline.
        # Django's own incr() asks EXISTS first, and needs add() for a window's first hit.
        full_key = backend.make_and_validate_key(key)
        previous_full_key = backend.make_and_validate_key(previous_key)
        pipe = backend._cache.get_client(full_key, write=True).pipeline(transaction=False)
        pipe.incr(full_key).expire(full_key, timeout).get(previous_full_key)
        count, _, previous = pipe.execute()
        return count, int(previous or 0)
    try:
        count = backend.incr(key)
    except ValueError:  # the first request of the window
        count = 1 if backend.add(key, 1, timeout) else backend.incr(key)
    return count, int(backend.get(previous_key) or 0)


def seconds_over(*, scope: str, ident: str, rate: Rate | None) -> int:
    """Count this request of ``ident``; 0 while within ``rate`` over the last period, else
    the seconds until a request would be within it again (for Retry-After)."""
    global _down_until
    if rate is None or time.monotonic() < _down_until:
        return 0
    window, elapsed = divmod(time.time(), rate.seconds)
    key = f"ratelimit:{scope}:{ident}:{int(window)}"
    previous_key = f"ratelimit:{scope}:{ident}:{int(window) - 1}"
    try:
        count, previous = count_hit(key, previous_key, timeout=2 * rate.seconds)
    except Exception as exc:  # any cache failure: let the request through
        _down_until = time.monotonic() + RETRY_AFTER
        logger.warning("rate limits off for %d s, the cache failed: %r", RETRY_AFTER, exc)
        return 0
    if count + previous * (1 - elapsed / rate.seconds) <= rate.count:
        return 0
    return seconds_until_within(rate, count=count, previous=previous, elapsed=elapsed)


def seconds_until_within(rate: Rate, *, count: int, previous: int, elapsed: float) -> int:
    """When one more request would be within ``rate``, if no other came in the meantime."""
    room = rate.count - 1  # the next request counts itself
    if count <= room:
        # Within this window, once the previous one's weight has fallen far enough.
        at = rate.seconds * (1 - (room - count) / previous)
    else:
        # In the next window, once this one's hits (its "previous" then) have faded enough.
        at = rate.seconds * (2 - room / count)
    return max(1, math.ceil(at - elapsed))
