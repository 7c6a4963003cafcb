"""Builders shared by the settlement and ledger tests (this module holds no tests).

A line is paid and confirmed at PAID (2026-03-02 10:00 in Shanghai); with the default
15-day campaign delay it is due as of DUE (2026-03-17). ``refund`` and ``cancel`` change a
commission the way the commission service does (the split recomputed on what is left,
``revision`` bumped; a settled line stays settled), so these tests need only factories.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Sum

from accounts.models import Role
from commissions.models import Account, Commission, LedgerEntry
from commissions.splits import money, split
from tests.factories import (
    AffiliateLinkFactory,
    OrganisationFactory,
    attributed_line,
    commission_for,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAID = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
DUE = date(2026, 3, 17)
FIGURES = ("buyer_net", "provider_net", "upstream_net", "platform_fee", "merchant_pays")


def make_link(*, delay: int = 15, commission_rate="0.2000", service_fee_rate="0.1000"):
    return AffiliateLinkFactory(
        enrollment__campaign__settlement_delay_days=delay,
        enrollment__commission_rate=Decimal(commission_rate),
        enrollment__service_fee_rate=Decimal(service_fee_rate),
    )


def due_commission(
    *, link=None, amount="100.00", status="confirmed", paid_at=PAID, commission_status="estimated"
) -> Commission:
    line = attributed_line(link or make_link(), amount=amount, status=status, paid_at=paid_at)
    return commission_for(line, status=commission_status)


def second_level_commission(*, amount="100.00", second_level_rate="0.0600") -> Commission:
    """A line sold through a second-level provider: it earns round(A r2), the first level
    (upstream) the rest of its 10 % fee."""
    commission = due_commission(amount=amount)
    upstream = commission.provider
    second = OrganisationFactory(role=Role.PROVIDER)
    figures = split(
        amount=Decimal(amount), commission_rate=commission.commission_rate,
        service_fee_rate=commission.service_fee_rate, platform_rate=commission.platform_rate,
        second_level_rate=Decimal(second_level_rate),
    )  # fmt: skip
    Commission.objects.filter(pk=commission.pk).update(
        provider=second, upstream_provider=upstream, service_fee_rate=Decimal(second_level_rate),
        upstream_fee_rate=commission.service_fee_rate - Decimal(second_level_rate),
        **split_fields(figures),
    )  # fmt: skip
    commission.refresh_from_db()
    return commission


def split_fields(figures) -> dict:
    names = (
        "base_amount", "buyer_gross", "buyer_fee", "buyer_net", "provider_gross", "provider_fee",
        "provider_net", "upstream_gross", "upstream_fee", "upstream_net", "platform_fee",
        "merchant_pays",
    )  # fmt: skip
    return {name: getattr(figures, name) for name in names}


def refund(commission: Commission, amount: str) -> Commission:
    """A refund of ``amount`` more on the commission's line: the split on what is left."""
    commission.refresh_from_db()
    line = commission.line
    line.refunded_amount += Decimal(amount)
    line.save(update_fields=["refunded_amount"])
    figures = split(
        amount=line.amount - line.refunded_amount, commission_rate=commission.commission_rate,
        service_fee_rate=commission.service_fee_rate, platform_rate=commission.platform_rate,
    )  # fmt: skip
    changes = split_fields(figures)
    if commission.status != Commission.Status.SETTLED and figures.merchant_pays == 0:
        changes["status"] = Commission.Status.VOID
    Commission.objects.filter(pk=commission.pk).update(revision=commission.revision + 1, **changes)
    commission.refresh_from_db()
    return commission


def cancel(commission: Commission, *, status_void: bool = False) -> Commission:
    """The order cancelled after settlement: the figures recomputed to zero (the commission
    service keeps the line settled; ``status_void`` sets it void instead)."""
    zero = dict.fromkeys(split_fields(split_zero()), Decimal("0.00"))
    zero["base_amount"] = Decimal("0.00")
    if status_void:
        zero["status"] = Commission.Status.VOID
    Commission.objects.filter(pk=commission.pk).update(revision=commission.revision + 1, **zero)
    commission.order.status = "cancelled"
    commission.order.save(update_fields=["status"])
    commission.refresh_from_db()
    return commission


def split_zero():
    return split(
        amount=Decimal("0"), commission_rate=Decimal("0"), service_fee_rate=Decimal("0"),
        platform_rate=Decimal("0"),
    )  # fmt: skip


def balance(organisation, kind: str) -> Decimal:
    """The sum of the entries of one account (0.00 when it has none)."""
    total = LedgerEntry.objects.filter(
        account__organisation=organisation, account__kind=kind
    ).aggregate(total=Sum("amount"))["total"]
    return money(total) if total is not None else Decimal("0.00")  # SQLite sums as floats


def platform_revenue() -> Decimal:
    return balance(None, Account.Kind.PLATFORM_REVENUE)


def posted(commission: Commission) -> dict[str, Decimal]:
    commission.refresh_from_db()
    return {name: getattr(commission, f"posted_{name}") for name in FIGURES}


def current(commission: Commission) -> dict[str, Decimal]:
    commission.refresh_from_db()
    return {name: getattr(commission, name) for name in FIGURES}
