"""Builders shared by the commission tests (this module holds no tests).

Orders are paid at PAID (2026-03-02 10:00 in Shanghai); enrollments carry a rate row from
RATES_FROM on, so the commission service reads them through ``effective_rate``.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import Role
from commissions.models import AffiliateLink, Commission, OrderLine
from commissions.services.commissions import recompute_commissions
from matchmaking.rates import record_initial_rate
from tests.factories import (
    AffiliateLinkFactory,
    CampaignFactory,
    EnrollmentFactory,
    OrganisationFactory,
    attributed_line,
)

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
PAID = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
RATES_FROM = PAID - timedelta(days=90)
LINKED = PAID - timedelta(days=60)
FIGURES = ("buyer_net", "provider_net", "upstream_net", "platform_fee", "merchant_pays")


def approved_enrollment(*, merchant=None, provider=None, commission="0.2000", fee="0.1000", **kw):
    """An approved enrollment with its initial rate row (from RATES_FROM)."""
    extra = {}
    if merchant is not None:
        extra["product__merchant"] = merchant
    if provider is not None:
        extra["campaign__provider"] = provider
    enrollment = EnrollmentFactory(
        status="approved", commission_rate=D(commission), service_fee_rate=D(fee), **extra, **kw
    )
    record_initial_rate(enrollment=enrollment, at=RATES_FROM)
    return enrollment


def second_level(first, *, provider=None, rate="0.0600"):
    """A re-offer of ``first`` through another provider's campaign at ``rate`` (r2)."""
    campaign = CampaignFactory(
        provider=provider or OrganisationFactory(role=Role.PROVIDER),
        service_fee_rate=D("0.0000"),
    )
    enrollment = EnrollmentFactory(
        status="approved", campaign=campaign, product=first.product, parent=first,
        commission_rate=first.commission_rate, service_fee_rate=D(rate),
    )  # fmt: skip
    record_initial_rate(enrollment=enrollment, at=RATES_FROM)
    return enrollment


def link_of(enrollment, *, buyer=None, created_at=LINKED) -> AffiliateLink:
    link = AffiliateLinkFactory(
        enrollment=enrollment, buyer=buyer or OrganisationFactory(role=Role.BUYER)
    )
    AffiliateLink.objects.filter(pk=link.pk).update(created_at=created_at)
    link.refresh_from_db()
    return link


def sale(link, *, amount="100.00", status="confirmed", paid_at=PAID) -> Commission:
    """An order of one line through ``link``, with its commission computed."""
    line = attributed_line(link, amount=amount, status=status, paid_at=paid_at)
    [commission] = recompute_commissions(order_id=line.order_id)
    return commission


def refund(commission: Commission, refunded: str) -> Commission:
    """The storefront now reports ``refunded`` as the line's refunded amount."""
    OrderLine.objects.filter(pk=commission.line_id).update(refunded_amount=D(refunded))
    return recompute(commission)


def cancel(commission: Commission) -> Commission:
    order = commission.order
    order.status, order.cancelled_at = "cancelled", timezone.now()
    order.save(update_fields=["status", "cancelled_at"])
    return recompute(commission)


def recompute(commission: Commission) -> Commission:
    recompute_commissions(order_id=commission.order_id)
    return Commission.objects.get(pk=commission.pk)


def settle(commission: Commission) -> Commission:
    """What a settlement run leaves behind: posted figures = current, status settled."""
    Commission.objects.filter(pk=commission.pk).update(
        status=Commission.Status.SETTLED, settled_at=timezone.now(),
        posted_revision=commission.revision,
        **{f"posted_{name}": getattr(commission, name) for name in FIGURES},
    )  # fmt: skip
    return Commission.objects.get(pk=commission.pk)


def figures(commission: Commission, *, posted: bool = False) -> tuple:
    prefix = "posted_" if posted else ""
    return tuple(getattr(commission, f"{prefix}{name}") for name in FIGURES)
