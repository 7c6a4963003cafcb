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
from core import generations
from matchmaking.selectors.promotable import why_not_promotable
from merchants.storefront_urls import storefront_problem

LINK_CACHE_PREFIX = "link-code:"  # + code: the redirect's cached lookup (services clear it)
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
    destination: str  # "" when the stored address is not one we may send people to
    expires_at: datetime
    not_promotable: str = ""  # why clicks of the link earn nothing now, or ""

    @property
    def live(self) -> bool:
        return self.expires_at > timezone.now()


def load_target(code: str) -> LinkTarget | None:
    link = (
        AffiliateLink.objects.select_related("enrollment__product", "enrollment__campaign")
        .filter(code=code)
        .first()
    )
    if link is None:
        return None
    enrollment = link.enrollment
    destination = enrollment.reviewed_storefront_url or enrollment.product.storefront_url
    # Checked again here: an address stored before the rule, or outside the merchant's
    # storefront domains declared since, is not followed.
    if storefront_problem(destination, merchant_id=enrollment.product.merchant_id):
        destination = ""
    return LinkTarget(
        link_id=link.pk,
        destination=destination,
        expires_at=link.expires_at,
        not_promotable=why_not_promotable(enrollment),
    )


def resolve_code(code: str) -> LinkTarget | None:
    """Where ``/l/<code>`` leads and whether its clicks earn, cached for
    ``LINK_CACHE_SECONDS`` (expired links included: the caller checks ``live``). Creating or
    renewing a link clears its entry; a change of what is promotable (an enrollment ended, a
    product archived, a storefront moved) bumps the "promotion" generation, which every entry
    is compared with in the same round trip."""
    key, generation_key = LINK_CACHE_PREFIX + code, generations.key_of(generations.PROMOTION)
    try:
        values = cache.get_many([key, generation_key])
    except RedisError:  # a cache outage slows the redirect down, it does not break it
        values = {}
    generation, cached = generations.current(values, generations.PROMOTION), values.get(key)
    if cached is None or cached[-1] != generation:
        target = load_target(code)
        cached = (MISSING, generation) if target is None else (
            target.link_id, target.destination, target.expires_at.timestamp(),
            target.not_promotable, generation,
        )  # fmt: skip
        with suppress(RedisError):
            cache.set(key, cached, getattr(settings, "LINK_CACHE_SECONDS", 60))
    if cached[0] == MISSING:
        return None
    link_id, destination, expires, not_promotable, _generation = cached
    return LinkTarget(link_id, destination, datetime.fromtimestamp(expires, tz=UTC), not_promotable)
