"""Monthly statements of an organisation, read from the ledger.

A statement covers one calendar month in the platform's time zone (Asia/Shanghai):
an entry posted at 2026-10-31 23:30 +08:00 belongs to October. It shows

- the opening balance: every entry of the organisation's accounts posted before the month;
- each ledger transaction of the month that touched the organisation, in sections by kind
  (settled lines, clawbacks, incentives, payouts, merchant payments, corrections), with the
  organisation's own amount (the sum of its entries in that transaction);
- traffic credits awarded in the month (incentives paid in credits, not money: not in
  the balance);
- the closing balance: opening plus everything posted in the month, which is the ledger
  balance at the month's end.

Scoping rule: the caller names the organisation; the API and the portal decide whose
statement a caller may read (a member its own, an operator any). The entries are then read
through ``accounts.scoping.visible_to`` for that organisation. Three queries at most.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role
from accounts.scoping import visible_to
from commissions.models import IncentivePayment, LedgerEntry, LedgerTransaction
from core import dates
from core.errors import DomainError
from core.fields import parse_id
from core.money import money

ZERO = Decimal("0.00")
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
Kind = LedgerTransaction.Kind

# Statement sections in the order they are shown, by ledger transaction kind.
SECTIONS = {
    Kind.SETTLEMENT: "lines",
    Kind.CLAWBACK: "clawbacks",
    Kind.INCENTIVE: "incentives",
    Kind.PAYOUT: "payouts",
    Kind.COLLECTION: "payments",
    Kind.CORRECTION: "corrections",
}


@dataclass(frozen=True)
class StatementItem:
    date: date
    reference: str
    amount: Decimal
    order: str = ""
    sku: str = ""
    base_amount: Decimal | None = None
    description: str = ""


@dataclass(frozen=True)
class Credit:
    date: date
    programme: str
    month: str
    settled_gmv: Decimal
    credits: Decimal


@dataclass
class Statement:
    organisation: Organisation
    month: date
    opening_balance: Decimal
    sections: dict[str, list[StatementItem]]
    credits: list[Credit] = field(default_factory=list)

    @property
    def start(self) -> date:
        return self.month

    @property
    def end(self) -> date:
        return next_month(self.month) - timedelta(days=1)

    @property
    def totals(self) -> dict[str, Decimal]:
        totals = {
            name: sum((item.amount for item in items), ZERO)
            for name, items in self.sections.items()
        }
        totals["credits"] = sum((credit.credits for credit in self.credits), ZERO)
        return totals

    @property
    def is_empty(self) -> bool:
        return not self.credits and not any(self.sections.values())

    @property
    def closing_balance(self) -> Decimal:
        moved = sum((item.amount for items in self.sections.values() for item in items), ZERO)
        return self.opening_balance + moved


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def last_month(today: date | None = None) -> date:
    """The first day of the month before ``today`` (default: today in Asia/Shanghai)."""
    today = today or timezone.localdate()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def parse_month(text: str | None) -> date:
    """``YYYY-MM`` -> the first day of that month; empty -> last month. A month outside
    core.dates' range (9999-12 has no next month) is refused like a malformed one."""
    if not text:
        return last_month()
    match = MONTH_PATTERN.match(text.strip())
    years = range(dates.EARLIEST_DATE.year, dates.LATEST_DATE.year + 1)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) not in years:
        raise DomainError(_("Give the month as YYYY-MM, for example 2026-10."), field="month")
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of the month as aware datetimes at midnight in the platform's time zone."""
    return (
        timezone.make_aware(datetime.combine(month, time.min)),
        timezone.make_aware(datetime.combine(next_month(month), time.min)),
    )


def organisation_entries(organisation: Organisation):
    return visible_to(LedgerEntry.objects.all(), organisation)


def opening_balance(*, organisation: Organisation, month: date) -> Decimal:
    start, _end = month_bounds(month)
    total = (
        organisation_entries(organisation)
        .filter(posted_at__lt=start)
        .aggregate(total=Sum("amount"))["total"]
    )
    # money(): SQLite hands sums back as floats turned Decimal ("18", not "18.00").
    return money(total) if total is not None else ZERO


def item_for(transaction: LedgerTransaction, amount: Decimal) -> StatementItem:
    """One statement row: what the transaction did to the organisation, with its line."""
    posted_on = timezone.localdate(transaction.posted_at)
    commission = transaction.commission
    if commission is not None:
        return StatementItem(
            date=posted_on, reference=transaction.reference, amount=amount,
            order=commission.order.external_id, sku=commission.line.sku,
            base_amount=commission.base_amount, description=transaction.memo,
        )  # fmt: skip
    description = transaction.memo
    incentive = getattr(transaction, "incentive", None)
    if incentive is not None:
        description = f"{incentive.programme.name} {incentive.month:%Y-%m}"
    return StatementItem(
        date=posted_on, reference=transaction.reference, amount=amount, description=description
    )


def month_items(*, organisation: Organisation, month: date) -> dict[str, list[StatementItem]]:
    """Every transaction of the month that touched the organisation, by section, in one query."""
    start, end = month_bounds(month)
    entries = (
        organisation_entries(organisation)
        .filter(posted_at__gte=start, posted_at__lt=end)
        .select_related(
            "transaction__commission__order",
            "transaction__commission__line",
            "transaction__incentive__programme",
        )
        .order_by("posted_at", "transaction_id", "id")
    )
    # A transaction may touch several of the organisation's accounts (earnings and incentives).
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    transactions: dict[int, LedgerTransaction] = {}
    for entry in entries:
        amounts[entry.transaction_id] += entry.amount
        transactions.setdefault(entry.transaction_id, entry.transaction)
    sections: dict[str, list[StatementItem]] = {name: [] for name in SECTIONS.values()}
    for pk, transaction in transactions.items():
        sections[SECTIONS.get(transaction.kind, "corrections")].append(
            item_for(transaction, amounts[pk])
        )
    return sections


def month_credits(*, organisation: Organisation, month: date) -> list[Credit]:
    """Traffic credits awarded in the month (incentive payments without money)."""
    if organisation.role != Role.PROVIDER:
        return []
    start, end = month_bounds(month)
    payments = (
        visible_to(IncentivePayment.objects.all(), organisation)
        .filter(transaction__isnull=True, created_at__gte=start, created_at__lt=end)
        .select_related("programme")
        .order_by("created_at", "id")
    )
    return [
        Credit(
            date=timezone.localdate(payment.created_at),
            programme=payment.programme.name,
            month=f"{payment.month:%Y-%m}",
            settled_gmv=payment.settled_gmv,
            credits=payment.reward,
        )
        for payment in payments
    ]


def statement_for(*, organisation: Organisation, month: date) -> Statement:
    """The organisation's statement of ``month`` (the first day of the month)."""
    return Statement(
        organisation=organisation,
        month=month,
        opening_balance=opening_balance(organisation=organisation, month=month),
        sections=month_items(organisation=organisation, month=month),
        credits=month_credits(organisation=organisation, month=month),
    )


def statement_organisation(*, user, organisation_id: str | None) -> Organisation:
    """Whose statement the caller reads: a member its own organisation, and asking for another
    one is not found (404, no hint it exists); an operator the organisation it names."""
    if user.organisation_id:
        if organisation_id not in (None, "", str(user.organisation_id)):
            raise Http404
        return user.organisation
    if not organisation_id:
        raise DomainError(
            _("Choose the organisation whose statement to show."), field="organisation"
        )
    if parse_id(organisation_id) is None:
        raise Http404
    organisation = Organisation.objects.filter(pk=parse_id(organisation_id)).first()
    if organisation is None:
        raise Http404
    return organisation
