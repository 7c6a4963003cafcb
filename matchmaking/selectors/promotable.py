"""Promotable now (DESIGN.md, "Rules added after the first version"): the one rule of what may
be offered to buyers and earn through their links.

Promotable now = the enrollment approved, its campaign ongoing, its product active with stock,
promotion stock left. Only that is offered anywhere (catalogue, recommendations, assortments,
lineup builder, link creation). A link that stops being promotable still redirects the
shopper, but its clicks and orders earn nothing, with a reason (``NotPromotable``).
"""

from datetime import date, datetime
from enum import StrEnum

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from matchmaking.models import Campaign, Enrollment
from matchmaking.selectors.campaigns import effective_status, effectively
from merchants.models import Product

Status = Enrollment.Status
# Stopped being approved; ``promotion_ended_at`` says when.
ENDED = (Status.TERMINATED, Status.EXPIRED, Status.PENDING)


class NotPromotable(StrEnum):
    """Why an enrollment is not promotable (the values are also order lines' reasons)."""

    ENROLLMENT_ENDED = "enrollment_ended"
    PRODUCT_ARCHIVED = "product_archived"
    CAMPAIGN_NOT_ONGOING = "not_promotable"
    OUT_OF_STOCK = "out_of_stock"
    PROMOTION_STOCK_USED_UP = "promotion_stock_used_up"


def available(prefix: str = "") -> Q:
    """Approved, product active with stock, promotion stock left; campaign dates aside."""
    return Q(
        **{
            f"{prefix}status": Status.APPROVED,
            f"{prefix}product__status": Product.Status.ACTIVE,
            f"{prefix}product__stock__gt": 0,
            f"{prefix}promotion_stock__gt": 0,
        }
    )


def promotable_now(*, today: date | None = None, prefix: str = "") -> Q:
    """A filter of enrollments (through ``prefix``) that are promotable now."""
    return available(prefix) & effectively(
        Campaign.Status.ONGOING, today=today, prefix=f"{prefix}campaign__"
    )


def why_not_promotable(enrollment: Enrollment, *, today: date | None = None) -> str:
    """ "" when the enrollment (with product and campaign loaded) is promotable now, else the
    first reason it is not."""
    product = enrollment.product
    if enrollment.status != Status.APPROVED:
        return NotPromotable.ENROLLMENT_ENDED
    if product.status != Product.Status.ACTIVE:
        return NotPromotable.PRODUCT_ARCHIVED
    if effective_status(enrollment.campaign, today) != Campaign.Status.ONGOING:
        return NotPromotable.CAMPAIGN_NOT_ONGOING
    if product.stock <= 0:
        return NotPromotable.OUT_OF_STOCK
    if enrollment.promotion_stock <= 0:
        return NotPromotable.PROMOTION_STOCK_USED_UP
    return ""


def promoting_at(enrollment: Enrollment, at: datetime) -> str:
    """ "" when an order paid ``at`` may earn through the enrollment, else why not.

    Judged at the payment, so a late event of an order paid while the enrollment was approved
    still earns: an enrollment that ended after ``at`` was promoting then. The product's
    status is today's (archiving is not dated); stock does not decide an order that was sold.
    """
    ended_later = enrollment.promotion_ended_at is not None and enrollment.promotion_ended_at > at
    if enrollment.status != Status.APPROVED and not (enrollment.status in ENDED and ended_later):
        return NotPromotable.ENROLLMENT_ENDED
    if enrollment.product.status != Product.Status.ACTIVE:
        return NotPromotable.PRODUCT_ARCHIVED
    if not campaign_ongoing_at(enrollment.campaign, at):
        return NotPromotable.CAMPAIGN_NOT_ONGOING
    return ""


def campaign_ongoing_at(campaign: Campaign, at: datetime) -> bool:
    """Ongoing on the day of ``at`` (Shanghai); a campaign closed by hand after ``at`` was."""
    day = timezone.localdate(at)
    if campaign.status == Campaign.Status.CLOSED and campaign.closed_at and campaign.closed_at > at:
        return campaign.promotion_start <= day <= campaign.promotion_end
    return effective_status(campaign, day) == Campaign.Status.ONGOING


def explain(reason: str) -> str:
    """What a buyer is told when it asks for a link of something not promotable now."""
    messages = {
        NotPromotable.ENROLLMENT_ENDED: _("This item is no longer in the campaign."),
        NotPromotable.PRODUCT_ARCHIVED: _("The merchant has archived this product."),
        NotPromotable.CAMPAIGN_NOT_ONGOING: _("Its campaign is not running today."),
        NotPromotable.OUT_OF_STOCK: _("The product is out of stock."),
        NotPromotable.PROMOTION_STOCK_USED_UP: _("Its promotion stock is used up."),
    }
    return _("You cannot promote this item now: %s") % messages[NotPromotable(reason)]
