"""Reads of the ledger and of settlement runs.

Scoping rule: a member reads its own organisation's accounts, through
``accounts.scoping.visible_to``; an operator (no organisation) reads the
platform's own accounts (those without an organisation). Settlement runs are
the operators' alone: the API and the portal let only operators call
``settlement_runs``.
"""

from decimal import Decimal

from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Organisation
from accounts.scoping import visible_to
from commissions.models import Account, SettlementRun
from core.money import money


def account_balances(*, organisation: Organisation | None, platform: bool = False) -> list[dict]:
    """[{account, balance}] of the organisation's accounts (the platform's with
    ``platform=True``), each the sum of its entries, in one query. Earnings are positive,
    what a merchant owes negative."""
    if platform:
        accounts = Account.objects.filter(organisation__isnull=True)
    else:
        accounts = visible_to(Account.objects.all(), organisation)
    rows = (
        accounts.order_by("kind")
        .annotate(
            total=Coalesce(
                Sum("entries__amount"),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        .values_list("kind", "total")
    )
    # money(): SQLite sums decimals as floats; PostgreSQL's numeric sum is exact already.
    return [
        {"account": kind, "label": Account.Kind(kind).label, "balance": money(total)}
        for kind, total in rows
    ]


def settlement_runs() -> QuerySet[SettlementRun]:
    """Every settlement run, newest first, with who asked for it."""
    return SettlementRun.objects.select_related("requested_by").order_by("-started_at", "-id")
