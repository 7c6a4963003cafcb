"""Incentive programmes paid monthly on settled GMV: tiers, idempotence, traffic credits."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages

from accounts.models import Organisation
from commissions import ledger
from commissions.models import IncentivePayment, IncentiveProgramme, LedgerTransaction
from commissions.services.incentives import pay_incentive, pay_incentives, settled_gmv_by_provider
from commissions.tasks import pay_incentives as pay_incentives_task
from tests.commissions.statements_support import at, sale, settle

pytestmark = pytest.mark.django_db
OCTOBER = date(2026, 10, 1)


def programme(
    kind="cash",
    tiers=(("1000.00", "100.00"), ("5000.00", "600.00"), ("10000.00", "1500.00")),
    **extra,
):
    created = IncentiveProgramme.objects.create(
        name=extra.pop("name", f"{kind} programme"),
        kind=kind,
        starts_on=extra.pop("starts_on", date(2026, 1, 1)),
        **extra,
    )
    for min_gmv, reward in tiers:
        created.tiers.create(min_gmv=Decimal(min_gmv), reward=Decimal(reward))
    return created


def settled_gmv(provider, amount, when=None, merchant=None, buyer=None, upstream=None):
    """One line of ``amount`` for ``provider`` settled at ``when`` (default mid-October)."""
    merchant = merchant or Organisation.objects.create(
        name=f"M{amount}{when}", role="merchant", status="active"
    )
    buyer = buyer or Organisation.objects.create(
        name=f"B{amount}{when}{provider.pk}", role="buyer", status="active"
    )
    commission = sale(
        merchant=merchant, buyer=buyer, provider=provider, amount=amount, upstream=upstream
    )
    settle(commission, when or at(2026, 10, 15))
    return commission


@pytest.mark.parametrize(
    ("gmv", "reward"),
    [
        ("999.99", None),
        ("1000.00", "100.00"),
        ("4999.99", "100.00"),
        ("5000.00", "600.00"),
        ("25000.00", "1500.00"),
    ],
)
def test_the_highest_tier_reached_is_paid(provider, gmv, reward):
    cash = programme()
    settled_gmv(provider.organisation, gmv)

    run = pay_incentives(month=OCTOBER)

    payment = IncentivePayment.objects.filter(programme=cash).first()
    if reward is None:
        assert payment is None and run.paid == 0
        return
    assert (payment.settled_gmv, payment.reward, payment.month) == (
        Decimal(gmv),
        Decimal(reward),
        OCTOBER,
    )
    assert ledger.balances(organisation=provider.organisation)["incentives"] == Decimal(reward)
    assert ledger.balances(organisation=None)["incentives"] == -Decimal(reward)
    assert payment.transaction.kind == "incentive"
    assert (
        payment.transaction.reference == f"incentive:{cash.pk}:{provider.organisation_id}:2026-10"
    )
    assert run.paid == 1


def test_settled_gmv_counts_lines_settled_in_the_month_as_provider_or_first_level(member_factory):
    first_level = member_factory("provider").organisation
    second_level = member_factory("provider").organisation
    settled_gmv(first_level, "300.00")
    settled_gmv(first_level, "200.00", when=at(2026, 10, 31, 23, 59))
    settled_gmv(first_level, "700.00", when=at(2026, 11, 1, 0, 1))  # November
    settled_gmv(first_level, "800.00", when=at(2026, 9, 30, 23, 59))  # September
    settled_gmv(
        second_level, "150.00", upstream=first_level
    )  # first_level earns the rest of its fee
    sale(
        merchant=member_factory("merchant").organisation,
        buyer=member_factory("buyer").organisation,
        provider=first_level,
        amount="999.00",
    )  # never settled

    assert settled_gmv_by_provider(month=OCTOBER) == {
        first_level.pk: Decimal("650.00"), second_level.pk: Decimal("150.00"),
    }  # fmt: skip


def test_suspended_providers_are_not_paid(member_factory):
    suspended = member_factory("provider", status="suspended").organisation
    programme()
    settled_gmv(suspended, "5000.00")

    assert pay_incentives(month=OCTOBER).paid == 0


def test_running_the_month_twice_pays_once(provider):
    programme()
    settled_gmv(provider.organisation, "5000.00")

    first = pay_incentives_task("2026-10")
    second = pay_incentives_task("2026-10")

    assert first == {"paid": 1, "credited": 0, "already_paid": 0}
    assert second == {"paid": 0, "credited": 0, "already_paid": 1}
    assert IncentivePayment.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind="incentive").count() == 1
    assert ledger.balances(organisation=provider.organisation)["incentives"] == Decimal("600.00")


def test_a_payment_that_lost_the_race_is_skipped(provider):
    cash, traffic = programme(), programme("traffic")
    for each in (cash, traffic):
        args = {"programme": each, "provider": provider.organisation, "month": OCTOBER,
                "gmv": Decimal("5000.00"), "reward": Decimal("600.00")}  # fmt: skip
        assert pay_incentive(**args) is not None
        assert pay_incentive(**args) is None  # the unique constraints refuse the second

    assert IncentivePayment.objects.count() == 2
    assert LedgerTransaction.objects.filter(kind="incentive").count() == 1


def test_traffic_credits_move_no_money(provider):
    traffic = programme("traffic", tiers=(("100.00", "2000.00"),))
    settled_gmv(provider.organisation, "150.00")

    run = pay_incentives(month=OCTOBER)

    payment = IncentivePayment.objects.get(programme=traffic)
    assert (payment.reward, payment.transaction) == (Decimal("2000.00"), None)
    assert run.credited == 1 and run.paid == 0
    assert not LedgerTransaction.objects.filter(kind="incentive").exists()
    assert "incentives" not in ledger.balances(organisation=provider.organisation)


def test_two_programmes_pay_each_their_tier(provider, member_factory):
    other = member_factory("provider").organisation
    cash = programme(name="Cash")
    traffic = programme(
        "traffic", name="Traffic", tiers=(("100.00", "50.00"), ("3000.00", "500.00"))
    )
    settled_gmv(provider.organisation, "5000.00")
    settled_gmv(other, "120.00")

    run = pay_incentives(month=OCTOBER)

    paid = {(p.programme.name, p.provider_id): p.reward for p in IncentivePayment.objects.all()}
    assert paid == {
        ("Cash", provider.organisation_id): Decimal("600.00"),
        ("Traffic", provider.organisation_id): Decimal("500.00"),
        ("Traffic", other.pk): Decimal("50.00"),
    }
    assert (run.paid, run.credited) == (1, 2)
    assert cash.payments.get().transaction is not None
    assert traffic.payments.filter(transaction__isnull=False).count() == 0
    assert ledger.ledger_total() == 0


def test_only_active_programmes_covering_the_month_pay(provider):
    programme(name="Inactive", active=False)
    programme(name="Ended", starts_on=date(2026, 1, 1), ends_on=date(2026, 9, 30))
    programme(name="Not yet", starts_on=date(2026, 11, 1))
    covering = programme(name="From mid-October", starts_on=date(2026, 10, 15))
    settled_gmv(provider.organisation, "1000.00")

    pay_incentives(month=OCTOBER)

    assert list(IncentivePayment.objects.values_list("programme", flat=True)) == [covering.pk]


def test_the_monthly_task_pays_last_month_by_default(provider):
    programme()
    settled_gmv(provider.organisation, "1000.00")

    with time_machine.travel(at(2026, 11, 1, 6, 30), tick=False):
        result = pay_incentives_task()

    assert result["paid"] == 1
    assert IncentivePayment.objects.get().month == OCTOBER


def test_the_admin_action_pays_last_month_now(client, operator, provider):
    cash = programme()
    settled_gmv(provider.organisation, "5000.00")
    client.force_login(operator)

    with time_machine.travel(at(2026, 11, 3), tick=False):
        response = client.post(
            "/admin/commissions/incentiveprogramme/",
            {"action": "pay_last_month", "_selected_action": [cash.pk]},
            follow=True,
        )

    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert messages == [
        "2026-10: 1 cash incentives paid, 0 traffic credits recorded, 0 paid before."
    ]
    assert cash.payments.get().reward == Decimal("600.00")
