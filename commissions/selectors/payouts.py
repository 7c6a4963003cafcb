"""Reads of payouts and merchant payments, and of what each organisation is owed.

Scoping rule: operators see every payout and every balance; a member sees the payouts
and payments of its own organisation only, through ``accounts.scoping.visible_to`` on the
ledger entries (a payout is the member's when one of its entries is on the member's
accounts).
"""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum

from accounts.models import Organisation, User
from accounts.scoping import visible_to
from commissions.models import LedgerEntry, LedgerTransaction
from commissions.models.money import MONEY
from core.money import money

PAYMENT_KINDS = (LedgerTransaction.Kind.PAYOUT, LedgerTransaction.Kind.COLLECTION)


def payouts_for(*, user: User) -> QuerySet[LedgerTransaction]:
    """Payout and payment transactions with ``organisation_id``, ``organisation_name`` and
    ``platform_amount`` (the platform's entry: + for a payout, - for a payment) annotated,
    newest first, in one query."""
    organisation_entry = LedgerEntry.objects.filter(
        transaction=OuterRef("pk"), account__organisation__isnull=False
    ).order_by("id")
    platform_entry = LedgerEntry.objects.filter(
        transaction=OuterRef("pk"), account__organisation__isnull=True
    ).order_by("id")
    payouts = (
        LedgerTransaction.objects.filter(kind__in=PAYMENT_KINDS)
        .select_related("created_by")
        .annotate(
            organisation_id=Subquery(organisation_entry.values("account__organisation_id")[:1]),
            organisation_name=Subquery(
                organisation_entry.values("account__organisation__name")[:1]
            ),
            platform_amount=Subquery(
                platform_entry.values("amount")[:1], output_field=DecimalField(**MONEY)
            ),
        )
        .order_by("-posted_at", "-id")
    )
    if user.is_operator:
        return payouts
    mine = visible_to(LedgerEntry.objects.all(), user.organisation).values("transaction_id")
    return payouts.filter(pk__in=mine)


def balances_owed() -> QuerySet[Organisation]:
    """Every organisation with a balance other than zero, with ``balance`` annotated (the sum
    of all its accounts: > 0 the platform owes it, < 0 it owes), in one aggregate query."""
    return (
        Organisation.objects.annotate(balance=Sum("accounts__entries__amount"))
        .exclude(balance=0)
        .exclude(balance__isnull=True)
        .order_by("-balance", "name")
    )


def payout_amount(payout: LedgerTransaction) -> Decimal:
    return money(abs(payout.platform_amount or Decimal("0.00")))
