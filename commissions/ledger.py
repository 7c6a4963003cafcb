"""Posting to the double-entry ledger and reading balances.

Every transaction's entries sum to zero (checked here, and by a trigger on
PostgreSQL); entries are inserted in one statement and never changed after;
``reference`` is unique, so posting the same thing twice raises AlreadyPosted
instead of paying twice.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Organisation, User
from commissions.models import Account, Commission, LedgerEntry, LedgerTransaction, SettlementRun
from core.errors import DomainError
from core.money import money

Kind = Account.Kind


class AlreadyPosted(Exception):
    """The reference is in the ledger already: the work was done before."""


def account_for(organisation: Organisation | None, kind: str) -> Account:
    account, _ = Account.objects.get_or_create(organisation=organisation, kind=kind)
    return account


def post(
    *,
    kind: str,
    reference: str,
    entries: Iterable[tuple[Account, Decimal]],
    memo: str = "",
    commission: Commission | None = None,
    run: SettlementRun | None = None,
    by: User | None = None,
    at: datetime | None = None,
) -> LedgerTransaction:
    """Write one balanced transaction; zero amounts are left out."""
    lines = [(account, Decimal(amount)) for account, amount in entries if Decimal(amount) != 0]
    if sum((amount for _, amount in lines), Decimal(0)) != 0:
        raise DomainError(f"ledger transaction {reference} does not balance")
    at = at or timezone.now()
    try:
        with transaction.atomic():
            posted = LedgerTransaction.objects.create(
                kind=kind, reference=reference, memo=memo[:300], commission=commission,
                settlement_run=run, created_by=by, posted_at=at,
            )  # fmt: skip
            LedgerEntry.objects.bulk_create(
                LedgerEntry(transaction=posted, account=account, amount=amount, posted_at=at)
                for account, amount in lines
            )
    except IntegrityError as exc:
        if LedgerTransaction.objects.filter(reference=reference).exists():
            raise AlreadyPosted(reference) from exc
        raise
    return posted


def balances(*, organisation: Organisation | None) -> dict[str, Decimal]:
    """Each account's balance for an organisation (None: the platform), in one query."""
    rows = (
        LedgerEntry.objects.filter(account__organisation=organisation)
        .values("account__kind")
        .annotate(balance=Sum("amount"))
    )
    # money(): SQLite sums decimals as floats; PostgreSQL's numeric sum is exact already.
    return {row["account__kind"]: money(row["balance"]) for row in rows}


def ledger_total() -> Decimal:
    """Sum of every entry ever posted: always zero."""
    return money(LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] or Decimal("0.00"))
