"""manage.py seed_demo: a live marketplace on first run, nothing new on the second; last month
and the month before are settled months whose statements show what happened."""

import time
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Organisation
from commissions.ledger import balances, ledger_total
from commissions.models import (
    AffiliateLink,
    Click,
    Commission,
    IncentivePayment,
    IncentiveProgramme,
    LedgerEntry,
    LedgerTransaction,
    Order,
    OrderEvent,
    SettlementRun,
)
from commissions.selectors.dashboards import dashboard_for, period_for
from commissions.selectors.statements import last_month, month_bounds, statement_for
from commissions.services.incentives import settled_gmv_by_provider
from matchmaking.models import Campaign, Enrollment
from matchmaking.selectors.campaigns import effective_status
from matchmaking.selectors.reach import promotable_enrollments
from merchants.models import Product
from portal.demo.data import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

COUNTED = {
    "organisations": Organisation.objects,
    "products": Product.objects,
    "enrollments": Enrollment.objects,
    "links": AffiliateLink.objects,
    "clicks": Click.objects,
    "orders": Order.objects,
    "order events": OrderEvent.objects,
    "commissions": Commission.objects,
    "settlement runs": SettlementRun.objects,
    "ledger transactions": LedgerTransaction.objects,
    "ledger entries": LedgerEntry.objects,
    "incentive programmes": IncentiveProgramme.objects,
    "incentive payments": IncentivePayment.objects,
}
Kind = LedgerTransaction.Kind


PAGES = ["/", "/dashboard/", "/orders/", "/commissions/", "/statements/"]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {name: manager.count() for name, manager in COUNTED.items()}


def org(name_start: str) -> Organisation:
    return Organisation.objects.get(name__startswith=name_start)


def month_before(month):
    return last_month(month)


def test_it_builds_a_live_marketplace_once(client):
    started = time.perf_counter()
    first = seed()
    seconds = time.perf_counter() - started
    after_first = counts()
    second = seed()

    assert counts() == after_first
    assert seconds < 60, f"seed_demo took {seconds:.1f} s"
    assert "orders: already seeded" in second and "settlement: already seeded" in second
    assert "incentive programmes: already seeded" in second
    assert "orders: already seeded" not in first and "links: already seeded" not in first
    assert after_first["products"] >= 35 and after_first["orders"] >= 100
    assert Organisation.objects.filter(role="provider", status="active").count() == 5
    assert ledger_total() == 0

    merchant, buyer, provider = org("杭州云裳"), org("小鹿"), org("优选团长")
    assert Order.objects.filter(merchant=merchant).count() >= 10
    assert promotable_enrollments(buyer=buyer).count() >= 8
    assert effective_status(Campaign.objects.get(provider=provider, name__contains="Winter")) == (
        Campaign.Status.ONGOING
    )
    assert balances(organisation=buyer)["buyer_earnings"] > 0
    assert balances(organisation=merchant)["merchant_payable"] < 0
    assert balances(organisation=provider)["provider_fees"] > 0

    for username in ("operator", "merchant", "buyer", "provider", "pending_provider"):
        assert client.login(username=username, password=DEMO_PASSWORD), username
    for username in ("merchant", "buyer", "provider"):
        client.login(username=username, password=DEMO_PASSWORD)
        for page in PAGES:
            assert client.get(page).status_code == 200, (username, page)
    client.login(username="operator", password=DEMO_PASSWORD)
    latest_run = SettlementRun.objects.order_by("-as_of").first()
    runs = client.get("/operator/settlements/")
    assert runs.status_code == 200 and f"{latest_run.as_of:%Y-%m-%d}" in runs.content.decode()
    payouts = client.get("/operator/payouts/")
    assert payouts.status_code == 200 and merchant.name in payouts.content.decode()
    assert org("新星选品").status == Organisation.Status.PENDING


def test_last_month_and_the_month_before_are_settled_with_statements(client):
    seed()
    merchant, buyer, provider = org("杭州云裳"), org("小鹿"), org("优选团长")
    months = (month_before(last_month()), last_month())

    # Every transaction balances (summed here: SQLite sums decimals as floats).
    by_transaction = defaultdict(Decimal)
    for transaction_id, amount in LedgerEntry.objects.values_list("transaction_id", "amount"):
        by_transaction[transaction_id] += amount
    assert ledger_total() == 0 and set(by_transaction.values()) == {Decimal("0.00")}
    for organisation, sign in ((merchant, -1), (buyer, 1), (provider, 1)):
        for month in months:
            statement = statement_for(organisation=organisation, month=month)
            assert statement.sections["lines"], (organisation.name, month)
            assert sign * statement.totals["lines"] > 0, (organisation.name, month)
            _start, end = month_bounds(month)
            at_end = LedgerEntry.objects.filter(
                account__organisation=organisation, posted_at__lt=end
            ).aggregate(total=Sum("amount"))["total"]
            assert statement.closing_balance == Decimal(at_end).quantize(Decimal("0.01"))
            assert statement.closing_balance != 0

    last = {o: statement_for(organisation=o, month=months[1]) for o in (merchant, buyer, provider)}
    # A return after settlement: the buyer gives back part of what it earned.
    assert last[buyer].sections["clawbacks"] and last[buyer].totals["clawbacks"] < 0
    # The operator paid the buyer and provider what they were owed early in the month, and
    # the merchant paid what it owed.
    assert last[buyer].totals["payouts"] < 0 and last[provider].totals["payouts"] < 0
    assert last[merchant].totals["payments"] > 0
    [payout] = LedgerTransaction.objects.filter(
        kind=Kind.PAYOUT,
        entries__account__organisation=buyer,
        posted_at__gte=month_bounds(months[1])[0],
        posted_at__lt=month_bounds(months[1])[1],
    )
    owed_after = LedgerEntry.objects.filter(
        account__organisation=buyer, posted_at__lte=payout.posted_at
    ).values_list("amount", flat=True)
    assert sum(owed_after, Decimal("0.00")) == 0
    # The month before last earned the provider an incentive, paid last month.
    paid = list(IncentivePayment.objects.values_list("provider__name", "month", "reward"))
    settled_gmv = settled_gmv_by_provider(month=months[0]).get(provider.pk)
    assert last[provider].sections["incentives"] or last[provider].credits, (settled_gmv, paid)
    assert IncentivePayment.objects.filter(provider=provider, month=months[0]).exists()
    # The last two weeks are not settled yet.
    two_weeks = timezone.now() - timedelta(days=13)
    recent = Commission.objects.filter(buyer=buyer, earned_at__gte=two_weeks)
    assert recent.exists() and not recent.filter(status=Commission.Status.SETTLED).exists()

    for username, organisation in (
        ("merchant", merchant),
        ("buyer", buyer),
        ("provider", provider),
    ):
        dashboard = dashboard_for(organisation=organisation, period=period_for())
        assert dashboard.orders > 0 and dashboard.clicks > 0, username
        assert dashboard.estimated > 0 and dashboard.settled > 0, username
        client.login(username=username, password=DEMO_PASSWORD)
        for month in months:
            page = client.get("/statements/", {"month": f"{month:%Y-%m}"}).content.decode()
            statement = statement_for(organisation=organisation, month=month)
            assert statement.sections["lines"][0].order in page, (username, month)
            assert "Nothing was posted to these accounts this month." not in page
    client.login(username="buyer", password=DEMO_PASSWORD)
    page = client.get("/statements/").content.decode()
    assert last[buyer].sections["clawbacks"][0].order in page and "Clawbacks" in page
    # The links were taken before the traffic started and none has expired.
    links = AffiliateLink.objects.filter(pk__in=Click.objects.values("link_id"))
    oldest = Click.objects.order_by("clicked_at").first()
    assert links.count() == 40 and oldest.link.created_at < oldest.clicked_at
    assert not links.filter(expires_at__lt=timezone.now()).exists()
