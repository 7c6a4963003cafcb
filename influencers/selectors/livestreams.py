from collections import Counter

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.scoping import visible_to
from influencers.models import LineupSlot, Livestream


def livestreams_of(*, buyer: Organisation | None) -> QuerySet[Livestream]:
    slots = LineupSlot.objects.select_related(
        "enrollment__product", "enrollment__campaign"
    ).order_by("position")
    return visible_to(Livestream.objects.all(), buyer).prefetch_related(
        Prefetch("slots", queryset=slots)
    )


def lineup_warnings(livestream: Livestream) -> list[dict]:
    """What the buyer should fix before going live: stock, dates, duplicates."""
    slots = list(livestream.slots.all())
    products = Counter(slot.enrollment.product_id for slot in slots)
    day = timezone.localtime(livestream.scheduled_at).date()
    warnings = []
    for slot in slots:
        enrollment = slot.enrollment
        if slot.target_units > enrollment.promotion_stock:
            message = _("Promotion stock %(stock)d cannot cover %(target)d target units.")
            values = {"stock": enrollment.promotion_stock, "target": slot.target_units}
            warnings.append(warning(slot, "stock", message % values))
        if enrollment.campaign.promotion_end < day:
            message = _("The campaign ends on %(date)s, before this livestream.")
            values = {"date": enrollment.campaign.promotion_end.isoformat()}
            warnings.append(warning(slot, "ends_before", message % values))
        if products[enrollment.product_id] > 1:
            message = _("%(title)s is in the lineup more than once.")
            warnings.append(
                warning(slot, "duplicate", message % {"title": enrollment.product.title})
            )
    return warnings


def warning(slot: LineupSlot, kind: str, message: str) -> dict:
    return {"position": slot.position, "kind": kind, "message": message}
