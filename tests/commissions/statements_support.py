"""Ledger set-up for the statement, payout and incentive tests: settled lines and clawbacks
posted with commissions.ledger.post, the way settlement posts them."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from commissions import ledger
from commissions.models import Account, Commission, LedgerEntry
from commissions.splits import split
from tests.factories import AffiliateLinkFactory, attributed_line, commission_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
Kind = Account.Kind


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def sale(*, merchant, buyer, provider, amount: str = "100.00", upstream=None) -> Commission:
    """A settled-status commission (20 % commission, 10 % service fee, platform 10 %)."""
    link = AffiliateLinkFactory(
        buyer=buyer,
        enrollment__campaign__provider=provider,
        enrollment__product__merchant=merchant,
    )
    commission = commission_for(attributed_line(link, amount=amount), status="settled")
    if upstream is not None:
        Commission.objects.filter(pk=commission.pk).update(upstream_provider=upstream)
        commission.upstream_provider = upstream
    return commission


def settle(commission: Commission, when: datetime):
    """Post the settlement transaction of a commission at ``when``."""
    return ledger.post(
        kind="settlement",
        reference=f"settlement:{commission.pk}",
        commission=commission,
        at=when,
        entries=[
            (
                ledger.account_for(commission.merchant, Kind.MERCHANT_PAYABLE),
                -commission.merchant_pays,
            ),
            (ledger.account_for(commission.buyer, Kind.BUYER_EARNINGS), commission.buyer_net),
            (ledger.account_for(commission.provider, Kind.PROVIDER_FEES), commission.provider_net),
            (ledger.account_for(None, Kind.PLATFORM_REVENUE), commission.platform_fee),
        ],
    )


def claw_back(commission: Commission, *, refund: str, when: datetime):
    """A refund after settlement: post the difference of the split on the remaining amount."""
    after = split(
        amount=commission.base_amount - Decimal(refund),
        commission_rate=commission.commission_rate,
        service_fee_rate=commission.service_fee_rate,
        platform_rate=commission.platform_rate,
    )
    Commission.objects.filter(pk=commission.pk).update(base_amount=after.base_amount)
    commission.refresh_from_db()
    return ledger.post(
        kind="clawback",
        reference=f"clawback:{commission.pk}:1",
        commission=commission,
        at=when,
        entries=[
            (ledger.account_for(commission.merchant, Kind.MERCHANT_PAYABLE),
             commission.merchant_pays - after.merchant_pays),
            (ledger.account_for(commission.buyer, Kind.BUYER_EARNINGS),
             after.buyer_net - commission.buyer_net),
            (ledger.account_for(commission.provider, Kind.PROVIDER_FEES),
             after.provider_net - commission.provider_net),
            (ledger.account_for(None, Kind.PLATFORM_REVENUE),
             after.platform_fee - commission.platform_fee),
        ],
    )  # fmt: skip


def balance_before(organisation, moment: datetime) -> Decimal:
    """The organisation's ledger balance (all its accounts) just before ``moment``."""
    entries = LedgerEntry.objects.filter(account__organisation=organisation, posted_at__lt=moment)
    return sum((entry.amount for entry in entries), Decimal("0.00"))
