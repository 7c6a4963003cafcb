"""What the platform operator sees first: the last settlement run, what is owed both ways,
and the platform's own accounts."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from commissions.models import Account, SettlementRun
from commissions.selectors.ledger import account_balances, settlement_runs
from commissions.selectors.payouts import balances_owed
from core.money import money

ZERO = Decimal("0.00")

# The ledger's signs are the accounts' (the incentives account goes negative as rewards are
# granted); the operator reads each as what it means to the platform.
PLATFORM_FIGURES = {
    Account.Kind.PLATFORM_REVENUE: (_("Platform revenue earned"), 1),
    Account.Kind.INCENTIVES: (_("Incentives granted"), -1),
    Account.Kind.PAYOUTS: (_("Paid out, less collected from merchants"), 1),
}


@dataclass(frozen=True)
class OperatorOverview:
    last_run: SettlementRun | None
    running: int
    to_pay_count: int  # organisations the platform owes (buyers, providers)
    to_pay: Decimal
    to_collect_count: int  # organisations that owe the platform (merchants)
    to_collect: Decimal
    platform_figures: list[dict]  # [{account, label, amount}]


def operator_overview() -> OperatorOverview:
    """Four queries, whatever the size of the marketplace."""
    owed = (
        balances_owed()
        .order_by()
        .aggregate(
            to_pay_count=Count("pk", filter=Q(balance__gt=0)),
            to_pay=Sum("balance", filter=Q(balance__gt=0)),
            to_collect_count=Count("pk", filter=Q(balance__lt=0)),
            to_collect=Sum("balance", filter=Q(balance__lt=0)),
        )
    )
    runs = list(settlement_runs()[:1])
    return OperatorOverview(
        last_run=runs[0] if runs else None,
        running=SettlementRun.objects.filter(status=SettlementRun.Status.RUNNING).count(),
        to_pay_count=owed["to_pay_count"] or 0,
        to_pay=money(owed["to_pay"] or ZERO),
        to_collect_count=owed["to_collect_count"] or 0,
        to_collect=money(abs(owed["to_collect"] or ZERO)),
        platform_figures=platform_figures(),
    )


def platform_figures() -> list[dict]:
    rows = []
    for row in account_balances(organisation=None, platform=True):
        label, sign = PLATFORM_FIGURES[row["account"]]
        amount = row["balance"] * sign or ZERO  # never "-0.00"
        rows.append({"account": row["account"], "label": label, "amount": amount})
    return rows
