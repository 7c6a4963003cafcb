"""Per-address request limits kept in the cache (Redis in production).

A fixed window per address: the key names its window, so one INCR counts a request and the key
expires by itself once the window is over (nothing to reset, no read-modify-write race). Rates
are settings such as ``"120/min"``; an empty setting means no limit.

If the cache cannot count, the request goes through: a limit is a brake on floods, never a
reason to fail a request (the redirect promises a 302 even when Redis is down). After a failure
the limiter stays out of the way for ``RETRY_AFTER`` seconds, so an outage costs one failed call
and one log line, not one per request.
"""

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RETRY_AFTER = 5.0

_down_until = 0.0


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate | None:
    """``"600/min"`` -> 600 requests a minute (s, m, h, d and their longer names); "" -> None."""
    if not text.strip():
        return None
    count, _, period = text.partition("/")
    return Rate(count=int(count), seconds=PERIODS[period.strip()[:1].lower()])


def rate_setting(name: str) -> Rate | None:
    return parse_rate(getattr(settings, name, "") or "")


def count_hit(key: str, *, timeout: int) -> int:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One round trip: INCR and a fresh EXPIRE in a pipeline. Django's own incr() asks
        # EXISTS first, and needs add() for the first request of a window.
        full_key = backend.make_and_validate_key(key)
        pipe = backend._cache.get_client(full_key, write=True).pipeline(transaction=False)
        count, _ = pipe.incr(full_key).expire(full_key, timeout).execute()
        return count
    try:
        return backend.incr(key)
    except ValueError:  # the first request of the window
        if backend.add(key, 1, timeout):
            return 1
        return backend.incr(key)  # another request created it in between


def seconds_over(*, scope: str, ident: str, rate: Rate | None) -> int:
    """Count this request of ``ident``; 0 while within ``rate``, else the seconds until the
    window ends (for Retry-After)."""
    global _down_until
    if rate is None or time.monotonic() < _down_until:
        return 0
    now = time.time()
    window = int(now // rate.seconds)
    key = f"ratelimit:{scope}:{ident}:{window}"
    try:
        count = count_hit(key, timeout=2 * rate.seconds)
    except Exception as exc:  # any cache failure: let the request through
        _down_until = time.monotonic() + RETRY_AFTER
        logger.warning("rate limits off for %d s, the cache failed: %r", RETRY_AFTER, exc)
        return 0
    if count <= rate.count:
        return 0
    return max(1, math.ceil((window + 1) * rate.seconds - now))
