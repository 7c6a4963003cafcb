"""Reads of tracked links: scoped lists, click counts, and the redirect's cached code lookup."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from redis import RedisError

from accounts.models import Organisation
from accounts.scoping import visible_to
from commissions.models import AffiliateLink, Click
from commissions.services.links import LINK_CACHE_PREFIX

MISSING = "-"  # cached for unknown codes too, so scanning robots do not reach the database


def links_for(*, organisation: Organisation | None) -> QuerySet[AffiliateLink]:
    """The buyer's own links; the merchant and provider of the enrollment see theirs."""
    return visible_to(
        AffiliateLink.objects.select_related("enrollment__product", "enrollment__campaign"),
        organisation,
    )


def link_url(request: HttpRequest, code: str) -> str:
    """The address a buyer shares: absolute, on the host the request came to."""
    return request.build_absolute_uri(reverse("follow-link", args=[code]))


def counted_clicks(*, link_ids: list[int]) -> dict[int, int]:
    """Clicks that count (neither bot nor duplicate), per link, in one query."""
    rows = (
        Click.objects.filter(link_id__in=link_ids, is_bot=False, is_duplicate=False)
        .values("link_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["link_id"]: row["n"] for row in rows}


def links_by_enrollment(
    *, buyer: Organisation, enrollment_ids: list[int]
) -> dict[int, AffiliateLink]:
    links = AffiliateLink.objects.filter(buyer=buyer, enrollment_id__in=enrollment_ids)
    return {link.enrollment_id: link for link in links}


@dataclass(frozen=True)
class LinkTarget:
    link_id: int
    destination: str
    expires_at: datetime

    @property
    def live(self) -> bool:
        return self.expires_at > timezone.now()


def resolve_code(code: str) -> LinkTarget | None:
    """Where ``/l/<code>`` leads, cached for ``LINK_CACHE_SECONDS`` (expired links included:
    the caller checks ``live``). Creating or renewing a link clears its entry."""
    key = LINK_CACHE_PREFIX + code
    try:
        cached = cache.get(key)
    except RedisError:  # a cache outage slows the redirect down, it does not break it
        cached = None
    if cached is None:
        row = (
            AffiliateLink.objects.filter(code=code)
            .values_list("pk", "enrollment__product__storefront_url", "expires_at")
            .first()
        )
        cached = MISSING if row is None else (row[0], row[1], row[2].timestamp())
        with suppress(RedisError):
            cache.set(key, cached, getattr(settings, "LINK_CACHE_SECONDS", 60))
    if cached == MISSING:
        return None
    link_id, destination, expires = cached
    return LinkTarget(link_id, destination, datetime.fromtimestamp(expires, tz=UTC))
