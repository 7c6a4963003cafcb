"""Template helpers of tracked links: inline QR codes and the links of a lineup's slots."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from commissions.qr import qr_svg_inline
from commissions.selectors.links import link_url, links_by_enrollment

register = template.Library()


@register.filter
def qr_svg(url: str) -> str:
    # segno escapes what it writes; the URL is ours (scheme, host, code of [A-Za-z0-9]).
    return mark_safe(qr_svg_inline(url))  # noqa: S308


@register.simple_tag(takes_context=True)
def lineup_links(context, livestream) -> dict[int, dict]:
    """The buyer's link of each slot's enrollment, in one query: {enrollment id: link facts}."""
    request = context["request"]
    slots = list(livestream.slots.all())
    links = links_by_enrollment(
        buyer=request.user.organisation, enrollment_ids=[slot.enrollment_id for slot in slots]
    )
    now = timezone.now()
    return {
        enrollment_id: {
            "code": link.code,
            "url": link_url(request, link.code),
            "expires_at": link.expires_at,
            "expired": link.expires_at <= now,
        }
        for enrollment_id, link in links.items()
    }


@register.filter
def for_slot(links: dict, slot) -> dict | None:
    return links.get(slot.enrollment_id) if links else None
