"""The demo's past, replayed in time order with the clock at each moment.

What happened, oldest first, each step through the product's own code:

- every planned order event (core.demo.sales): ``record_order_event`` at its time;
- every night at 02:30 (the beat's time) with something due, ``run_settlement`` as of that
  day, as the daily beat runs it;
- on the 1st at 06:30, ``pay_incentives`` for the month before (the monthly beat);
- on the 3rd at 10:00 the operator pays the demo buyer and the demo provider what they are
  owed, and records the demo merchant's payment of what it owes (``record_payment``);
- on the 9th and the 23rd at 15:00 the demo buyer's most recently settled order is partly
  returned after settlement, so the next night's run posts a clawback.

Why the clock travels (time-machine) rather than dates being passed in: settlement, the
ledger, incentives and payouts read the clock in several places (posting time, settled_at,
the run's start, the payment's creation); with the clock at the step's moment every one of
them agrees, and last month's statement shows last month's settled lines, a clawback, the
incentive paid for the month before and the payouts, as if the platform had been running.

The incentive programmes are the operator's, made in the admin (there is no service for
them): looked up by name, created with their tiers when missing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

import time_machine
from django.utils import timezone

from accounts.models import Organisation, User
from commissions.ledger import balances
from commissions.models import IncentiveProgramme, IncentiveTier, Order
from commissions.selectors.statements import last_month, next_month
from commissions.services.incentives import pay_incentives
from commissions.services.orders import record_order_event
from commissions.services.payouts import COLLECTION, PAYOUT, record_payment
from commissions.settlement import candidates, run_settlement
from portal.demo import sales
from portal.demo.data import INCENTIVE_PROGRAMMES
from portal.demo.people import Cast, Tally

SETTLEMENT_AT = time(2, 30)
INCENTIVES_AT = time(6, 30)
PAYOUT_DAY, PAYOUT_AT = 3, time(10)
LATE_RETURN_DAYS, LATE_RETURN_AT = (9, 23), time(15)
ZERO = Decimal("0.00")


def at_local(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def seed_programmes(tally: Tally) -> None:
    """The operator's incentive programmes, running since before the demo's history."""
    starts_on = sales.history_start(timezone.localdate()).replace(day=1)
    for name, kind, tiers in INCENTIVE_PROGRAMMES:
        if IncentiveProgramme.objects.filter(name=name).exists():
            continue
        programme = IncentiveProgramme.objects.create(name=name, kind=kind, starts_on=starts_on)
        IncentiveTier.objects.bulk_create(
            IncentiveTier(programme=programme, min_gmv=Decimal(gmv), reward=Decimal(reward))
            for gmv, reward in tiers
        )
        tally.add("incentive programmes")


@dataclass(order=True)
class Step:
    """One thing that happened; steps at the same moment run by ``rank``."""

    at: datetime
    rank: int
    action: Callable[[], None] = field(compare=False)


def seed_history(cast: Cast, tally: Tally) -> None:
    """Replay the demo's past (module docstring); once: skipped when a demo order exists."""
    if Order.objects.filter(external_id__startswith=sales.ORDER_PREFIX).exists():
        return
    now = timezone.now()
    plans = sales.plan_orders(cast, now)
    add_late_returns(plans, buyer=cast.org("buyer"), now=now)
    first_day = sales.history_start(timezone.localdate(now))
    steps = [
        *(Step(event.occurred_at, 3, partial(record_order_event, event=event))
          for plan in plans for event in plan.events()),
        *settlement_steps(first_day, now, tally),
        *monthly_steps(cast, now, tally),
    ]  # fmt: skip
    tally.add("orders", len(plans))
    for step in sorted(steps):
        with time_machine.travel(step.at, tick=False):
            step.action()


def add_late_returns(plans: list[sales.OrderPlan], *, buyer: Organisation, now) -> None:
    """On each return day so far, the demo buyer's latest settled order is partly returned."""
    today = timezone.localdate(now)
    for month in (last_month(today), today.replace(day=1)):
        for day in LATE_RETURN_DAYS:
            moment = at_local(month.replace(day=day), LATE_RETURN_AT)
            settled = [p for p in plans if p.buyer_id == buyer.pk and p.settled_before(moment)]
            if moment < now and settled:
                plan = max(settled, key=lambda p: p.confirmed_at)
                plan.refunds.append((moment, plan.part_of_it()))


def settlement_steps(first_day: date, now: datetime, tally: Tally) -> list[Step]:
    """Every night from the first day of traffic to today's, if it has passed."""
    days = (
        first_day + timedelta(days=n) for n in range((timezone.localdate(now) - first_day).days + 1)
    )
    steps = [Step(at_local(day, SETTLEMENT_AT), 0, partial(settle, day, tally)) for day in days]
    return [step for step in steps if step.at < now]


def settle(day: date, tally: Tally, by: User | None = None) -> None:
    """The nightly run as of ``day``, when something is due (the beat's, so by nobody). After
    the history, ``seed_demo`` runs it as of today by the operator: a re-run on a later day
    catches up what fell due since."""
    if candidates(day).exists():
        run = run_settlement(as_of=day, by=by)
        tally.add("settlement runs")
        tally.add("settled commissions", run.settled)
        tally.add("clawbacks", run.clawbacks)


def monthly_steps(cast: Cast, now: datetime, tally: Tally) -> list[Step]:
    """Incentives of the month before last and of last month, paid on the 1st; payouts on
    the 3rd of last month and of this month (each when that moment has passed)."""
    month = last_month(timezone.localdate(now))
    steps = []
    for paid_in in (month, next_month(month)):
        paying = partial(pay_month, last_month(paid_in), tally)
        steps.append(Step(at_local(paid_in, INCENTIVES_AT), 1, paying))
        paying = partial(pay_out, cast, tally)
        steps.append(Step(at_local(paid_in.replace(day=PAYOUT_DAY), PAYOUT_AT), 2, paying))
    return [step for step in steps if step.at < now]


def pay_month(month: date, tally: Tally) -> None:
    tally.add("incentive payments", pay_incentives(month=month).total)


def pay_out(cast: Cast, tally: Tally) -> None:
    """The operator settles up with the demo buyer, provider and merchant: a payout of what
    the buyer and the provider are owed, and the merchant's payment of what it owes."""
    key = f"demo-{timezone.localdate():%Y-%m}"
    for username, kind, sign in (("buyer", PAYOUT, 1), ("provider", PAYOUT, 1),
                                 ("merchant", COLLECTION, -1)):  # fmt: skip
        organisation = cast.org(username)
        amount = sign * sum(balances(organisation=organisation).values(), ZERO)
        if amount > 0:
            record_payment(
                organisation_id=organisation.pk, kind=kind, amount=amount, key=key,
                by=cast.operator,
            )  # fmt: skip
            tally.add("payouts and payments")
