"""Tracked links: one per (buyer, enrollment), short unguessable codes, valid 90 days.

Rules (DESIGN.md "Affiliate link"): a buyer gets a link only for an enrollment it may promote
now (``matchmaking.selectors.reach.promotable_enrollments``; when it knows the item, the refusal
says why: ended, archived, out of stock...); asking again returns the same link,
and an expired one is renewed for another 90 days under the same code.
"""

import logging
import secrets
import string
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from accounts.services import ensure_can_write
from commissions.locks import lock_links
from commissions.models import AffiliateLink
from commissions.models.tracking import LINK_VALIDITY_DAYS
from commissions.selectors.links import LINK_CACHE_PREFIX
from core.errors import DomainError, Forbidden, ensure
from influencers.locks import lock_livestream
from influencers.models import LineupSlot, Livestream
from matchmaking.selectors.promotable import explain, why_not_promotable
from matchmaking.selectors.reach import promotable_enrollments, reached_enrollment

logger = logging.getLogger(__name__)

CODE_ALPHABET = string.ascii_letters + string.digits  # 62 characters
CODE_LENGTH = 10  # 62**10 ~ 8e17 codes: guessing a live one is hopeless
CODE_ATTEMPTS = 5


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def validity_end():
    return timezone.now() + timedelta(days=LINK_VALIDITY_DAYS)


def forget_cached_code(code: str) -> None:
    """The redirect caches code lookups; a renewed link must not wait for the cache to expire."""
    transaction.on_commit(lambda: cache.delete(LINK_CACHE_PREFIX + code), robust=True)


def check_buyer(by: User) -> Organisation:
    ensure_can_write(by)
    ensure(by.role == Role.BUYER, Forbidden(_("Only buyers get tracked links.")))
    return by.organisation


def not_promotable(
    buyer: Organisation | None = None, enrollment_id: int | None = None
) -> DomainError:
    """Why the buyer cannot promote it, when the buyer knows the item (its provider's campaign,
    or an assortment shared with it); otherwise the same words whether the enrollment exists
    or not: no hint about other people's items."""
    known = (
        reached_enrollment(buyer=buyer, enrollment_id=enrollment_id)
        if buyer is not None and enrollment_id is not None
        else None
    )
    reason = why_not_promotable(known) if known is not None else ""
    return DomainError(
        explain(reason) if reason else _("You cannot promote this item."), field="enrollment"
    )


def renew_expired(links: list[AffiliateLink]) -> None:
    """Give expired links another validity period, keeping their codes."""
    now = timezone.now()
    expired = [link for link in links if link.expires_at <= now]
    for link in expired:
        link.expires_at = validity_end()
        forget_cached_code(link.code)
    if expired:
        AffiliateLink.objects.bulk_update(expired, ["expires_at"])


def insert_link(*, buyer: Organisation, enrollment_id: int, by: User) -> AffiliateLink | None:
    """Insert with a fresh code, retrying on the rare code collision.

    Returns None when a concurrent request created the (buyer, enrollment) link first.
    """
    for _attempt in range(CODE_ATTEMPTS):
        code = new_code()
        try:
            with transaction.atomic():
                link = AffiliateLink.objects.create(
                    buyer=buyer,
                    enrollment_id=enrollment_id,
                    code=code,
                    expires_at=validity_end(),
                    created_by=by,
                )
        except IntegrityError:
            if AffiliateLink.objects.filter(buyer=buyer, enrollment_id=enrollment_id).exists():
                return None
            logger.warning("link code collision, drawing another")
            continue
        forget_cached_code(code)
        return link
    raise RuntimeError("could not draw a unique link code")


def get_or_create_link(*, by: User, enrollment_id: int) -> tuple[AffiliateLink, bool]:
    """The buyer's link of an enrollment it may promote: the existing one (renewed if it
    expired) or a new one. Returns the link and whether it was created."""
    buyer = check_buyer(by)
    promotable = promotable_enrollments(buyer=buyer).filter(pk=enrollment_id).exists()
    if not promotable:
        raise not_promotable(buyer, enrollment_id)
    with transaction.atomic():
        locked = lock_links(buyer=buyer, enrollment_ids=[enrollment_id])
        if not locked:
            created = insert_link(buyer=buyer, enrollment_id=enrollment_id, by=by)
            if created is not None:
                return created, True
            # Made by a concurrent request meanwhile (one link per buyer and enrollment).
            locked = lock_links(buyer=buyer, enrollment_ids=[enrollment_id])
        (existing,) = locked
        renew_expired([existing])
    return existing, False


@dataclass
class LineupLinks:
    """Each slot of a lineup with its link; slots no longer promotable are skipped."""

    livestream: Livestream
    slots: list[tuple[LineupSlot, AffiliateLink | None]] = field(default_factory=list)
    skipped: list[LineupSlot] = field(default_factory=list)


def links_for_livestream(*, by: User, livestream_id: int) -> LineupLinks:
    """Create (or renew, or return) the link of every slot of a lineup in one transaction.

    Slots whose enrollment the buyer may no longer promote get no link and are reported.
    """
    buyer = check_buyer(by)
    with transaction.atomic():
        livestream = lock_livestream(livestream_id, buyer=buyer)
        slots = list(livestream.slots.select_related("enrollment__product").order_by("position"))
        wanted = {slot.enrollment_id for slot in slots}
        allowed = set(
            promotable_enrollments(buyer=buyer).filter(pk__in=wanted).values_list("pk", flat=True)
        )
        links = links_of_enrollments(buyer=buyer, enrollment_ids=allowed, by=by)
        result = LineupLinks(livestream=livestream)
        for slot in slots:
            if slot.enrollment_id in allowed:
                link = links[slot.enrollment_id]
                link.enrollment = slot.enrollment  # already has its product: no query per link
                result.slots.append((slot, link))
            else:
                result.slots.append((slot, None))
                result.skipped.append(slot)
    return result


def links_of_enrollments(
    *, buyer: Organisation, enrollment_ids: set[int], by: User
) -> dict[int, AffiliateLink]:
    """Inside the caller's transaction: existing links locked and renewed, missing ones made."""
    existing = lock_links(buyer=buyer, enrollment_ids=enrollment_ids)
    links = {link.enrollment_id: link for link in existing}
    renew_expired(list(links.values()))
    missing = sorted(enrollment_ids - set(links))
    new = [
        AffiliateLink(
            buyer=buyer, enrollment_id=pk, code=new_code(), expires_at=validity_end(), created_by=by
        )
        for pk in missing
    ]
    try:
        with transaction.atomic():
            AffiliateLink.objects.bulk_create(new)
    except IntegrityError:
        # A code collision or a concurrent request: fall back to one link at a time.
        new = [
            insert_link(buyer=buyer, enrollment_id=pk, by=by)
            or AffiliateLink.objects.get(buyer=buyer, enrollment_id=pk)
            for pk in missing
        ]
    for link in new:
        forget_cached_code(link.code)
        links[link.enrollment_id] = link
    return links
