"""Recording clicks of tracked links: privacy, bot and duplicate flags, and the database write.

Rules (DESIGN.md "Click"):
- the IP address is never stored, only an HMAC-SHA256 of it under ``settings.CLICK_IP_SALT``;
- a click whose user agent looks like a robot (``BOT_MARKERS``, or no user agent at all) is
  stored with ``is_bot`` and not counted;
- a human click from the same IP hash on the same link within ``DUPLICATE_WINDOW`` of the
  last *counted* click is stored with ``is_duplicate`` and not counted (so a visitor who
  keeps reloading counts once every 30 seconds at most).

Both paths use ``store_clicks``: the Redis stream's flush (commissions.click_buffer) with a
batch, and the redirect's direct write (no Redis, or Redis down) with a single click.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.http import HttpRequest

from commissions.locks import lock_links_for_clicks
from commissions.models import AffiliateLink, Click
from core.client_address import client_ip, hash_ip

logger = logging.getLogger(__name__)

DUPLICATE_WINDOW = timedelta(seconds=30)
USER_AGENT_MAX = Click._meta.get_field("user_agent").max_length
REFERRER_MAX = Click._meta.get_field("referrer").max_length
# Lower-case substrings of user agents that are not people: search engines, link-preview
# fetchers of chat apps and social networks, HTTP libraries and headless browsers.
BOT_MARKERS = (
    "bot",  # googlebot, bingbot, slackbot, telegrambot, twitterbot, baiduspider's kin
    "crawler",
    "spider",  # baiduspider, sogou web spider, bytespider
    "slurp",  # Yahoo
    "curl",
    "wget",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "httpx",
    "httpclient",  # Apache HttpClient and others
    "go-http-client",
    "java/",
    "libwww",
    "scrapy",
    "headless",  # HeadlessChrome
    "phantomjs",
    "lighthouse",
    "preview",  # bingpreview, skypeuripreview and other link unfurlers
    "facebookexternalhit",
    "whatsapp",  # WhatsApp's link preview
    "embedly",
    "pingdom",
    "uptime",
)


@dataclass(frozen=True)
class ClickData:
    """One visit, as the redirect saw it; what the stream carries and the database stores."""

    click_id: str
    link_id: int
    clicked_at: datetime
    ip_hash: str
    user_agent: str
    referrer: str
    not_promotable: str = ""


def new_click_id() -> str:
    """22 URL-safe characters (128 random bits): unguessable, fits ``Click.click_id``."""
    return secrets.token_urlsafe(16)


def is_bot_agent(user_agent: str) -> bool:
    agent = user_agent.strip().lower()
    return not agent or any(marker in agent for marker in BOT_MARKERS)


def click_from_request(
    request: HttpRequest,
    *,
    link_id: int,
    click_id: str,
    clicked_at: datetime,
    not_promotable: str = "",
) -> ClickData:
    return ClickData(
        click_id=click_id,
        link_id=link_id,
        clicked_at=clicked_at,
        ip_hash=hash_ip(client_ip(request)),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
        referrer=request.META.get("HTTP_REFERER", "")[:REFERRER_MAX],
        not_promotable=not_promotable,
    )


def last_counted_clicks(clicks: list[ClickData]) -> dict[tuple[int, str], datetime]:
    """The latest counted click per (link, IP hash) of the batch, from the database."""
    since = min(click.clicked_at for click in clicks) - DUPLICATE_WINDOW
    pairs = {(click.link_id, click.ip_hash) for click in clicks}
    rows = Click.objects.filter(
        link_id__in={link for link, _ in pairs},
        ip_hash__in={ip for _, ip in pairs},
        clicked_at__gte=since,
        is_bot=False,
        is_duplicate=False,
    ).values_list("link_id", "ip_hash", "clicked_at")
    latest: dict[tuple[int, str], datetime] = {}
    for link_id, ip_hash, clicked_at in rows:
        key = (link_id, ip_hash)
        if key in pairs and (key not in latest or clicked_at > latest[key]):
            latest[key] = clicked_at
    return latest


def flagged(clicks: list[ClickData], latest: dict[tuple[int, str], datetime]) -> list[Click]:
    """Click rows with their flags, judged in time order against ``latest`` and each other."""
    rows = []
    for click in sorted(clicks, key=lambda c: (c.clicked_at, c.click_id)):
        bot = is_bot_agent(click.user_agent)
        duplicate = False
        if not bot:
            key = (click.link_id, click.ip_hash)
            previous = latest.get(key)
            duplicate = (
                previous is not None and abs(click.clicked_at - previous) <= DUPLICATE_WINDOW
            )
            if not duplicate:
                latest[key] = click.clicked_at
        rows.append(
            Click(
                link_id=click.link_id,
                click_id=click.click_id,
                clicked_at=click.clicked_at,
                ip_hash=click.ip_hash,
                user_agent=click.user_agent[:USER_AGENT_MAX],
                referrer=click.referrer[:REFERRER_MAX],
                is_bot=bot,
                is_duplicate=duplicate,
                not_promotable=click.not_promotable[:32],
            )
        )
    return rows


def store_clicks(*, clicks: list[ClickData]) -> int:
    """Write clicks with their bot and duplicate flags; each click id is stored at most once.

    Clicks already stored (a batch flushed twice) and clicks of links deleted since are left
    out. Returns how many new clicks were offered to the database.
    """
    if not clicks:
        return 0
    with transaction.atomic():
        link_ids = sorted({click.link_id for click in clicks})
        lock_links_for_clicks(link_ids)
        known_links = set(
            AffiliateLink.objects.filter(pk__in=link_ids).values_list("pk", flat=True)
        )
        stored = set(
            Click.objects.filter(click_id__in=[c.click_id for c in clicks]).values_list(
                "click_id", flat=True
            )
        )
        orphans = sum(1 for c in clicks if c.link_id not in known_links)
        if orphans:
            logger.warning("dropped %d click(s) of deleted links", orphans)
        fresh = [c for c in clicks if c.link_id in known_links and c.click_id not in stored]
        if not fresh:
            return 0
        rows = flagged(fresh, last_counted_clicks(fresh))
        Click.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
