"""Paying the operator's incentive programmes to service providers, once a month.

Settled GMV: a provider's settled GMV in a month is the sum of the base amounts (paid
amount less refunds) of the order lines it earns a fee on -- as the line's provider, or as
the first level (``upstream_provider``) of a second-level line -- whose settlement
transaction was posted in that month (Asia/Shanghai). A refund after settlement lowers the
line's base amount and so the GMV of a month not yet paid; a paid month is never recomputed.
Only active service providers with settled GMV above zero take part.

Each active programme whose dates overlap the month pays every provider the reward of the
highest tier it reached (``min_gmv <= settled GMV``):

- a cash programme posts one ledger transaction of kind ``incentive`` (the platform's
  incentives account -reward, the provider's incentives account +reward) and records an
  IncentivePayment pointing at it;
- a traffic programme records an IncentivePayment only (credits, no money).

Both happen when the run happens (early the next month), so they appear on the statement of
the month they are paid in, labelled with the month they reward; a closed month's statement
never changes afterwards.

IncentivePayment is unique per programme, provider and month and the ledger reference
``incentive:<programme>:<provider>:<YYYY-MM>`` is unique, so running the month twice (or on
two workers at once) pays once: the loser of a race hits the constraint and moves on.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet, Sum

from accounts.models import Organisation, Role
from commissions import ledger
from commissions.models import (
    Account,
    Commission,
    IncentivePayment,
    IncentiveProgramme,
    IncentiveTier,
    LedgerTransaction,
)
from commissions.selectors.statements import month_bounds, next_month
from core.money import money

ZERO = Decimal("0.00")


@dataclass
class IncentiveRun:
    month: date
    paid: int = 0
    credited: int = 0
    already_paid: int = 0

    @property
    def total(self) -> int:
        return self.paid + self.credited


def settled_gmv_by_provider(*, month: date) -> dict[int, Decimal]:
    """Each active provider's settled GMV in the month (module docstring), in two queries."""
    start, end = month_bounds(month)
    settled = LedgerTransaction.objects.filter(
        kind=LedgerTransaction.Kind.SETTLEMENT, posted_at__gte=start, posted_at__lt=end
    ).values("commission_id")
    lines = Commission.objects.filter(pk__in=settled).order_by()
    active = Organisation.objects.filter(
        role=Role.PROVIDER, status=Organisation.Status.ACTIVE
    ).values("pk")
    gmv: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for path in ("provider", "upstream_provider"):
        rows = lines.filter(**{f"{path}__in": active}).values(path).annotate(gmv=Sum("base_amount"))
        for row in rows:
            gmv[row[path]] += money(row["gmv"])
    return {provider: total for provider, total in gmv.items() if total > 0}


def programmes_covering(month: date) -> QuerySet[IncentiveProgramme]:
    last_day = next_month(month) - timedelta(days=1)
    return (
        IncentiveProgramme.objects.filter(active=True, starts_on__lte=last_day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=month))
        .prefetch_related(Prefetch("tiers", queryset=IncentiveTier.objects.order_by("min_gmv")))
        .order_by("pk")
    )


def tier_reached(tiers: Iterable[IncentiveTier], gmv: Decimal) -> IncentiveTier | None:
    """The highest tier whose threshold the GMV reaches, or None."""
    reached = [tier for tier in tiers if tier.min_gmv <= gmv]
    return max(reached, key=lambda tier: tier.min_gmv, default=None)


def pay_incentive(
    *,
    programme: IncentiveProgramme,
    provider: Organisation,
    month: date,
    gmv: Decimal,
    reward: Decimal,
) -> IncentivePayment | None:
    """Pay one provider one programme's reward for one month; None when it was paid already.

    A cash reward is a balanced ledger transaction and the payment row in one database
    transaction; traffic credits are the payment row alone. Unique constraints decide a race.
    """
    try:
        with transaction.atomic():
            posted = None
            if programme.kind == IncentiveProgramme.Kind.CASH:
                posted = ledger.post(
                    kind=LedgerTransaction.Kind.INCENTIVE,
                    reference=f"incentive:{programme.pk}:{provider.pk}:{month:%Y-%m}",
                    entries=[
                        (ledger.account_for(None, Account.Kind.INCENTIVES), -reward),
                        (ledger.account_for(provider, Account.Kind.INCENTIVES), reward),
                    ],
                    memo=f"{programme.name} {month:%Y-%m}: settled GMV {gmv}",
                )
            return IncentivePayment.objects.create(
                programme=programme, provider=provider, month=month,
                settled_gmv=gmv, reward=reward, transaction=posted,
            )  # fmt: skip
    except (ledger.AlreadyPosted, IntegrityError):
        return None


def pay_incentives(
    *, month: date, programmes: QuerySet[IncentiveProgramme] | None = None
) -> IncentiveRun:
    """Pay every programme covering ``month`` (or only ``programmes``) to every provider by
    its settled GMV of the month; safe to run again: what was paid is skipped."""
    month = month.replace(day=1)
    run = IncentiveRun(month=month)
    gmv = settled_gmv_by_provider(month=month)
    providers = Organisation.objects.in_bulk(list(gmv))
    chosen = programmes_covering(month)
    if programmes is not None:
        chosen = chosen.filter(pk__in=programmes.values("pk"))
    for programme in chosen:
        paid = set(
            IncentivePayment.objects.filter(programme=programme, month=month).values_list(
                "provider_id", flat=True
            )
        )
        for provider_id, total in sorted(gmv.items()):
            tier = tier_reached(programme.tiers.all(), total)
            if tier is None:
                continue
            if provider_id in paid or not pay_incentive(
                programme=programme, provider=providers[provider_id], month=month,
                gmv=total, reward=tier.reward,
            ):  # fmt: skip
                run.already_paid += 1
            elif programme.kind == IncentiveProgramme.Kind.CASH:
                run.paid += 1
            else:
                run.credited += 1
    return run
