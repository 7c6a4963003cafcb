"""The click buffer: a Redis stream between the redirect and PostgreSQL.

The redirect appends each click with XADD (capped with ``MAXLEN ~``) and answers at once. A
beat task (``flush``) moves the stream into the database in batches through a consumer
group: XREADGROUP a batch, store it (flags computed under per-link advisory locks, insert
ignoring click ids already there), and only then XACK + XDEL. A batch whose write failed
stays pending: the same process reads its own pending entries first on its next run, and
another process reclaims them with XAUTOCLAIM once they have been idle long enough. Two
flushes at once therefore lose nothing and store nothing twice.

Settings: ``CLICK_BUFFER_URL`` (defaults to ``REDIS_URL``; empty means no buffer: the
redirect writes clicks directly), ``CLICK_STREAM`` (stream key), ``CLICK_STREAM_MAXLEN``,
``CLICK_FLUSH_BATCH``, ``CLICK_CLAIM_IDLE_MS``. After a failed XADD the buffer is skipped
for ``RETRY_AFTER`` seconds, so an outage costs one timeout, not one per click.
"""

import logging
import os
import socket
import time
from datetime import datetime

import redis
from django.conf import settings

from commissions.services.clicks import ClickData, store_clicks

logger = logging.getLogger(__name__)

GROUP = "click-flush"
RETRY_AFTER = 5.0
FLUSH_BUDGET_SECONDS = 8.0  # below the beat period, so runs do not pile up
EMPTY_CONSUMER_MAX_IDLE_MS = 24 * 3600 * 1000

_clients: dict[tuple[str, str], redis.Redis] = {}
_down_until: dict[str, float] = {}


class BufferUnavailable(Exception):
    """Redis did not take the click; the caller writes it directly."""


def buffer_url() -> str:
    return getattr(settings, "CLICK_BUFFER_URL", "") or ""


def stream_key() -> str:
    return getattr(settings, "CLICK_STREAM", "clicks")


def client(url: str, *, purpose: str = "web") -> redis.Redis:
    """One connection pool per URL and purpose; the web side waits at most a quarter second."""
    key = (url, purpose)
    if key not in _clients:
        timeout = 0.25 if purpose == "web" else 5.0
        _clients[key] = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True
        )
    return _clients[key]


def enabled() -> bool:
    return bool(buffer_url())


def as_fields(click: ClickData) -> dict[str, str]:
    return {
        "click_id": click.click_id,
        "link_id": str(click.link_id),
        "clicked_at": click.clicked_at.isoformat(),
        "ip_hash": click.ip_hash,
        "user_agent": click.user_agent,
        "referrer": click.referrer,
        "not_promotable": click.not_promotable,
    }


def from_fields(fields: dict[str, str]) -> ClickData:
    return ClickData(
        click_id=fields["click_id"],
        link_id=int(fields["link_id"]),
        clicked_at=datetime.fromisoformat(fields["clicked_at"]),
        ip_hash=fields["ip_hash"],
        user_agent=fields.get("user_agent", ""),
        referrer=fields.get("referrer", ""),
        not_promotable=fields.get("not_promotable", ""),
    )


def append(click: ClickData) -> None:
    """XADD the click; raises BufferUnavailable when Redis is down (or recently was)."""
    url = buffer_url()
    if time.monotonic() < _down_until.get(url, 0.0):
        raise BufferUnavailable("click buffer marked down")
    try:
        client(url).xadd(
            stream_key(),
            as_fields(click),
            maxlen=getattr(settings, "CLICK_STREAM_MAXLEN", 1_000_000),
            approximate=True,
        )
    except redis.RedisError as exc:
        _down_until[url] = time.monotonic() + RETRY_AFTER
        logger.warning(
            "click buffer unavailable, clicks go to the database for %d s: %s", RETRY_AFTER, exc
        )
        raise BufferUnavailable(str(exc)) from exc
    _down_until.pop(url, None)


def ensure_group(connection: redis.Redis, stream: str) -> None:
    try:
        connection.xgroup_create(stream, GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def consumer_name() -> str:
    """Stable per process, so a process retries its own failed batch first on its next run."""
    return f"{socket.gethostname()}-{os.getpid()}"


def next_batch(connection: redis.Redis, stream: str, consumer: str, count: int) -> list:
    """Own pending entries first, then other consumers' stale ones, then new ones."""
    own = connection.xreadgroup(GROUP, consumer, {stream: "0"}, count=count)
    if own and own[0][1]:
        return own[0][1]
    idle = getattr(settings, "CLICK_CLAIM_IDLE_MS", 60_000)
    claimed = connection.xautoclaim(stream, GROUP, consumer, idle, start_id="0-0", count=count)
    if claimed[1]:
        return claimed[1]
    new = connection.xreadgroup(GROUP, consumer, {stream: ">"}, count=count)
    return new[0][1] if new else []


def parse(entries: list) -> list[ClickData]:
    clicks = []
    for entry_id, fields in entries:
        try:
            clicks.append(from_fields(fields))
        except (KeyError, TypeError, ValueError):
            # A malformed or already deleted entry can never be stored; acking it drops it.
            logger.error("unreadable click entry %s in the stream: %r", entry_id, fields)
    return clicks


def acknowledge(connection: redis.Redis, stream: str, ids: list[str]) -> None:
    pipe = connection.pipeline(transaction=False)
    pipe.xack(stream, GROUP, *ids)
    pipe.xdel(stream, *ids)
    pipe.execute()


def forget_idle_consumers(connection: redis.Redis, stream: str) -> None:
    """Consumers of processes long gone, with nothing pending, are removed from the group."""
    for consumer in connection.xinfo_consumers(stream, GROUP):
        if consumer["pending"] == 0 and consumer["idle"] > EMPTY_CONSUMER_MAX_IDLE_MS:
            connection.xgroup_delconsumer(stream, GROUP, consumer["name"])


def flush(*, consumer: str | None = None, batch_size: int | None = None) -> int:
    """Move buffered clicks into the database; returns how many were stored."""
    url = buffer_url()
    if not url:
        return 0
    connection = client(url, purpose="worker")
    stream = stream_key()
    consumer = consumer or consumer_name()
    count = batch_size or getattr(settings, "CLICK_FLUSH_BATCH", 1000)
    ensure_group(connection, stream)
    stored = 0
    deadline = time.monotonic() + FLUSH_BUDGET_SECONDS
    while time.monotonic() < deadline:
        entries = next_batch(connection, stream, consumer, count)
        if not entries:
            break
        stored += store_clicks(clicks=parse(entries))
        # Only now, with the batch committed, may Redis forget it.
        acknowledge(connection, stream, [entry_id for entry_id, _ in entries])
    forget_idle_consumers(connection, stream)
    return stored
