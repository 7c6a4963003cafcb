"""Commissions: the split of every attributed order line (DESIGN.md "Money").

``recompute_commissions`` is called by the order rebuild (``order_changed``)
inside its transaction, with the Order row locked. It keeps exactly one
Commission per attributed line (created, then updated in place) whose
figures are ``commissions.splits.split`` on the line's paid amount less its
refunds, at the rates of the enrollment as they were in force for this buyer
when the order was paid (the 30-day rule of ``matchmaking.rates``).

- Rates: ``effective_rate`` of the link's enrollment at ``order.paid_at``
  for a buyer promoting since the link was created. A second-level line
  takes the commission rate and the first level's fee from the parent
  enrollment, and the second level's rate r2 from its own enrollment;
  ``service_fee_rate`` is then r2 (the second level's) and
  ``upstream_fee_rate`` fee1 - r2 (the first level's rest), as
  ``matchmaking.services.second_level.provider_rates`` names them. An
  enrollment without any rate row (history not recorded) falls back to the
  rate already frozen on the commission, or else the enrollment's current
  rate, so a later rate change never rewrites an old order.
- The platform rate is read once, when the commission is first computed,
  and kept by every recomputation.
- Status: before settlement the line is void when the order is cancelled,
  the line is fully refunded or no longer attributed, or the merchant would
  pay less than 0.01; otherwise it stays estimated (or settleable, once
  settlement said so). After settlement it stays settled: the current
  figures are recomputed (a cancellation recomputes them to zero), the
  ``posted_*`` figures stay as settlement wrote them, and the next run
  posts the difference as a clawback.
- Nothing changes when nothing changed: ``revision`` is bumped only by a
  recomputation that changed the row.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from commissions.locks import lock_commissions, lock_order
from commissions.models import Commission, Order, OrderLine
from commissions.services.platform_settings import current_platform_rate
from commissions.splits import ZERO, Split, split
from matchmaking.models import Enrollment
from matchmaking.rates import Rates, effective_rate

Status = Commission.Status

# Stored in English (the source language) and translated where shown.
VOID_CANCELLED = gettext_noop("The order was cancelled.")
VOID_REFUNDED = gettext_noop("The line was fully refunded.")
VOID_UNATTRIBUTED = gettext_noop("The line is no longer attributed to a link.")
VOID_UNDER_A_FEN = gettext_noop("The commission would be under 0.01.")

LINE_RELATED = (
    "link__enrollment__campaign",
    "link__enrollment__product",
    "link__enrollment__parent__campaign",
)
SPLIT_FIELDS = (
    "base_amount", "buyer_gross", "buyer_fee", "buyer_net", "provider_gross", "provider_fee",
    "provider_net", "upstream_gross", "upstream_fee", "upstream_net", "platform_fee",
    "merchant_pays",
)  # fmt: skip


@dataclass(frozen=True)
class Terms:
    """The rates of one line: ``fee_rate`` is the first level's whole fee; ``second_level_rate``
    the second level's part of it (None without a second level)."""

    commission_rate: Decimal
    fee_rate: Decimal
    second_level_rate: Decimal | None = None

    @property
    def provider_rate(self) -> Decimal:
        return self.fee_rate if self.second_level_rate is None else self.second_level_rate

    @property
    def upstream_rate(self) -> Decimal | None:
        if self.second_level_rate is None:
            return None
        return self.fee_rate - self.second_level_rate


def recompute_commissions(*, order_id: int) -> list[Commission]:
    """Create or update the commission of every attributed line of the order (by line id).

    Rule: one commission per attributed line, split on paid amount less refunds at the
    rates in force for the buyer when the order was paid, void or clawed back as the
    module docstring says. Runs in the caller's transaction (the rebuild holds the order
    lock); the commissions it updates are locked after their order (docs/architecture.md).
    """
    with transaction.atomic():
        order = lock_order(order_id)
        lines = list(
            OrderLine.objects.filter(order_id=order_id)
            .filter(Q(link__isnull=False) | Q(commission__isnull=False))
            .select_related(*LINE_RELATED)
            .order_by("pk")
        )
        existing = {
            commission.line_id: commission
            for commission in lock_commissions(line_ids=[line.pk for line in lines])
        }
        platform_rate = None
        commissions = []
        for line in lines:
            commission = existing.get(line.pk)
            if commission is None:
                if platform_rate is None:
                    platform_rate = current_platform_rate()
                commission = create_commission(order=order, line=line, platform_rate=platform_rate)
            else:
                update_commission(commission, order=order, line=line)
            commissions.append(commission)
        return commissions


def earned_at(order: Order) -> datetime:
    return order.paid_at or order.created_at


def create_commission(*, order: Order, line: OrderLine, platform_rate: Decimal) -> Commission:
    commission = Commission(line=line, order=order, platform_rate=platform_rate)
    for name, value in party_values(line).items():
        setattr(commission, name, value)
    terms = line_terms(line=line, at=earned_at(order))
    for name, value in computed_values(commission, order=order, line=line, terms=terms).items():
        setattr(commission, name, value)
    commission.save()
    return commission


def update_commission(commission: Commission, *, order: Order, line: OrderLine) -> None:
    """Recompute in place; save (and bump ``revision``) only when something changed."""
    link = line.link
    same_link = link is not None and (link.enrollment_id, link.buyer_id) == (
        commission.enrollment_id,
        commission.buyer_id,
    )
    values: dict = {}
    if link is not None and not after_settlement(commission):
        # Before settlement a line follows its current link; after it the parties stay
        # those the ledger was posted to, and a line moved elsewhere is clawed back.
        values.update(party_values(line))
    follows_link = link is not None and (same_link or bool(values))
    if follows_link:
        frozen = commission if same_link else None
        terms = line_terms(line=line, at=earned_at(order), frozen=frozen)
    else:
        terms = frozen_terms(commission)
    values.update(
        computed_values(commission, order=order, line=line, terms=terms, attributed=follows_link)
    )
    if all(getattr(commission, name) == value for name, value in values.items()):
        return
    for name, value in values.items():
        setattr(commission, name, value)
    commission.revision += 1
    commission.save()


def party_values(line: OrderLine) -> dict:
    """Who the line's money goes to: the link's buyer, the provider of the campaign promoted,
    and for a second-level enrollment the first level's provider upstream."""
    enrollment = line.link.enrollment
    parent = enrollment.parent
    return {
        "enrollment_id": enrollment.pk,
        "merchant_id": enrollment.product.merchant_id,
        "buyer_id": line.link.buyer_id,
        "provider_id": enrollment.campaign.provider_id,
        "upstream_provider_id": parent.campaign.provider_id if parent else None,
    }


def computed_values(
    commission: Commission, *, order: Order, line: OrderLine, terms: Terms, attributed: bool = True
) -> dict:
    """Rates, split, status and dates of the commission as the order and line now stand."""
    cancelled = order.status == Order.Status.CANCELLED
    amount = line.amount - line.refunded_amount if attributed and not cancelled else ZERO
    result = split(
        amount=amount,
        commission_rate=terms.commission_rate,
        service_fee_rate=terms.fee_rate,
        platform_rate=commission.platform_rate,
        second_level_rate=terms.second_level_rate,
    )
    settled = after_settlement(commission)
    if settled:
        reason = commission.void_reason  # settlement's business from now on
    else:
        reason = void_reason(order=order, line=line, result=result, attributed=attributed)
    status = status_after(commission, reason)
    values = {
        "commission_rate": terms.commission_rate,
        "service_fee_rate": terms.provider_rate,
        "upstream_fee_rate": terms.upstream_rate,
        **split_values(result),
        "status": status,
        "void_reason": reason,
        "earned_at": earned_at(order),
    }
    if not settled and status in (Status.ESTIMATED, Status.VOID):
        # Once settlement has taken the line over, the moment is its business.
        campaign = line.link.enrollment.campaign if attributed else None
        values["settleable_at"] = None if reason else due_for_settlement(order, campaign)
    return values


def split_values(result: Split) -> dict:
    return {name: getattr(result, name) for name in SPLIT_FIELDS}


def void_reason(*, order: Order, line: OrderLine, result: Split, attributed: bool) -> str:
    """Why a line not yet settled earns nothing, in words; empty when it earns something."""
    if order.status == Order.Status.CANCELLED:
        return VOID_CANCELLED
    if not attributed:
        return VOID_UNATTRIBUTED
    if line.refunded_amount > 0 and line.refunded_amount >= line.amount:
        return VOID_REFUNDED
    if result.merchant_pays < Decimal("0.01"):
        return VOID_UNDER_A_FEN
    return ""


def after_settlement(commission: Commission) -> bool:
    """Settlement has posted the line: it keeps its status and parties from now on."""
    return commission.status == Status.SETTLED or commission.settled_at is not None


def status_after(commission: Commission, reason: str) -> str:
    if after_settlement(commission):
        return commission.status
    if reason:
        return Status.VOID
    if commission.status == Status.SETTLEABLE:
        return Status.SETTLEABLE
    return Status.ESTIMATED


def due_for_settlement(order: Order, campaign) -> datetime | None:
    """The start of the local day the line becomes settleable: the order's confirmation
    day plus the campaign's settlement delay (None until the order is confirmed)."""
    if order.confirmed_at is None or campaign is None:
        return None
    day = timezone.localdate(order.confirmed_at) + timedelta(days=campaign.settlement_delay_days)
    return timezone.make_aware(datetime.combine(day, time.min))


def line_terms(*, line: OrderLine, at: datetime, frozen: Commission | None = None) -> Terms:
    """The rates in force for the line's buyer at ``at`` (see the module docstring)."""
    enrollment, since = line.link.enrollment, line.link.created_at
    kept = frozen_terms(frozen) if frozen is not None else None
    if enrollment.parent_id is None:
        fallback = Rates(kept.commission_rate, kept.fee_rate) if kept else None
        rates = rates_of(enrollment, at=at, since=since, fallback=fallback)
        return Terms(rates.commission_rate, rates.service_fee_rate)
    first_fallback = Rates(kept.commission_rate, kept.fee_rate) if kept else None
    own_fallback = Rates(kept.commission_rate, kept.provider_rate) if kept else None
    first = rates_of(enrollment.parent, at=at, since=since, fallback=first_fallback)
    own = rates_of(enrollment, at=at, since=since, fallback=own_fallback)
    return Terms(first.commission_rate, first.service_fee_rate, own.service_fee_rate)


def rates_of(
    enrollment: Enrollment, *, at: datetime, since: datetime, fallback: Rates | None
) -> Rates:
    """The effective rate row; without any row, the rate frozen on the commission, or else
    the enrollment's current rate."""
    found = effective_rate(enrollment_id=enrollment.pk, at=at, promoting_since=since)
    return found or fallback or Rates(enrollment.commission_rate, enrollment.service_fee_rate)


def frozen_terms(commission: Commission) -> Terms:
    """The rates the commission was last computed at."""
    if commission.upstream_fee_rate is None:
        return Terms(commission.commission_rate, commission.service_fee_rate)
    fee = commission.service_fee_rate + commission.upstream_fee_rate
    return Terms(commission.commission_rate, fee, commission.service_fee_rate)
