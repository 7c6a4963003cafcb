"""The dashboard selector: each role's figures to the fen, one definition with link stats and
the commission list, daily series that add up, and the ledger behind the settled figures."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Q

from accounts.models import Role
from accounts.scoping import visible_to
from commissions import ledger
from commissions.models import Account, AffiliateLink, Commission
from commissions.selectors.commissions import commission_totals, commissions_for
from commissions.selectors.dashboards import (
    dashboard_for,
    dashboard_links,
    period_for,
    summary_for,
)
from commissions.selectors.stats import Period, link_stats
from core.errors import DomainError
from tests.commissions.dashboards_support import EXPECTED, NOW, build_marketplace

pytestmark = pytest.mark.django_db
NOVEMBER = Period(start=date(2026, 11, 1), end=date(2026, 11, 20))
D = Decimal


@pytest.fixture
def market(merchant, provider, buyer):
    with time_machine.travel(NOW, tick=False):
        yield build_marketplace(
            merchant=merchant.organisation, provider=provider.organisation,
            buyer=buyer.organisation,
        )  # fmt: skip


def org_of(market, role: str):
    return {"buyer": market.buyer, "provider": market.provider, "merchant": market.merchant}[role]


def figures(dashboard) -> dict:
    return {
        "clicks": dashboard.clicks, "orders": dashboard.orders, "gmv": str(dashboard.gmv),
        "conversion_rate": str(dashboard.conversion_rate),
        "estimated": str(dashboard.estimated), "settled": str(dashboard.settled),
    }  # fmt: skip


@pytest.mark.parametrize("role", ["buyer", "provider", "merchant"])
def test_it_gives_each_role_its_own_figures_to_the_fen(market, role):
    dashboard = dashboard_for(organisation=org_of(market, role), period=NOVEMBER)

    assert figures(dashboard) == EXPECTED[role]


def test_a_second_level_provider_gets_its_own_fee_and_the_upstream_the_rest(market):
    dashboard = dashboard_for(organisation=market.second_provider, period=NOVEMBER)

    # L4 100.00 (second level at 4 %: 3.60) and L6 40.00 (10 %: 3.60)
    assert (dashboard.gmv, dashboard.orders, dashboard.clicks) == (D("140.00"), 2, 2)
    assert (dashboard.estimated, dashboard.settled) == (D("7.20"), D("0.00"))
    assert [(row.name, row.gmv) for row in dashboard.top["campaigns"]] == [
        ("Winter picks", D("140.00"))
    ]


def test_another_marketplace_never_leaks_into_the_figures(market):
    outsider = dashboard_for(organisation=market.outsider_buyer, period=NOVEMBER)

    # 998.00 settled (buyer nets 179.64) and 500.00 estimated (90.00): only its own.
    assert figures(outsider) == {
        "clicks": 5, "orders": 2, "gmv": "1498.00", "conversion_rate": "0.4000",
        "estimated": "90.00", "settled": "179.64",
    }  # fmt: skip


@pytest.mark.parametrize(
    "role, links",
    [
        ("buyer", lambda m: Q(buyer=m.buyer)),
        ("merchant", lambda m: Q(enrollment__product__merchant=m.merchant)),
        ("provider", lambda m: Q(enrollment__campaign__provider=m.provider)
         | Q(enrollment__parent__campaign__provider=m.provider)),
    ],
)  # fmt: skip
def test_sales_and_clicks_are_those_of_link_stats(market, role, links):
    stats = link_stats(links=AffiliateLink.objects.filter(links(market)), period=NOVEMBER)
    dashboard = dashboard_for(organisation=org_of(market, role), period=NOVEMBER)

    assert (dashboard.gmv, dashboard.orders, dashboard.clicks, dashboard.conversion_rate) == (
        stats.gmv, stats.orders, stats.clicks, stats.conversion_rate,
    )  # fmt: skip


@pytest.mark.parametrize("role", ["buyer", "provider", "merchant"])
def test_the_links_are_those_visible_to_the_organisation_plus_upstream_re_offers(market, role):
    organisation = org_of(market, role)
    visible = set(
        visible_to(AffiliateLink.objects.all(), organisation).values_list("pk", flat=True)
    )
    upstream = {market.links["L4"].pk} if role == "provider" else set()

    assert set(dashboard_links(organisation).values_list("pk", flat=True)) == visible | upstream
    assert market.links["L4"].pk not in visible or role != "provider"


@pytest.mark.parametrize("role", ["buyer", "provider", "merchant"])
def test_commission_is_the_commission_lists_total_and_the_rows_own_shares(market, role):
    organisation = org_of(market, role)
    first, after = NOVEMBER.bounds
    rows = commissions_for(organisation=organisation).filter(
        earned_at__gte=first, earned_at__lt=after
    )
    current, posted = {
        "buyer": ("buyer_net", "posted_buyer_net"),
        "merchant": ("merchant_pays", "posted_merchant_pays"),
        "provider": (None, None),
    }[role]

    def own(row, *, settled: bool) -> Decimal:
        if role != "provider":
            return getattr(row, posted if settled else current)
        prefix = "posted_" if settled else ""
        party = "provider" if row.provider_id == organisation.pk else "upstream"
        return getattr(row, f"{prefix}{party}_net")

    estimated = sum(own(r, settled=False) for r in rows if r.status in ("estimated", "settleable"))
    settled = sum(own(r, settled=True) for r in rows if r.status == "settled")
    totals = commission_totals(rows, organisation)
    dashboard = dashboard_for(organisation=organisation, period=NOVEMBER)

    assert dashboard.estimated == estimated == totals["estimated"]
    assert dashboard.settled == settled == totals["settled"]


@pytest.mark.parametrize("role", ["buyer", "provider", "merchant"])
def test_the_daily_series_is_zero_filled_and_adds_up_to_the_totals(market, role):
    dashboard = dashboard_for(organisation=org_of(market, role), period=NOVEMBER)
    daily = dashboard.daily

    assert [day.date.day for day in daily] == list(range(1, 21))
    assert sum(day.gmv for day in daily) == dashboard.gmv
    assert sum(day.orders for day in daily) == dashboard.orders
    assert sum(day.estimated for day in daily) == dashboard.estimated
    assert sum(day.settled for day in daily) == dashboard.settled
    assert daily[0].gmv == D("0.00") and daily[0].orders == 0  # nothing on the 1st


def test_days_are_days_in_shanghai(market):
    daily = dashboard_for(organisation=market.buyer, period=NOVEMBER).daily
    by_day = {day.date.day: (str(day.gmv), day.orders, str(day.estimated), str(day.settled))
              for day in daily if day.orders}  # fmt: skip

    # The 100.00 paid at 00:30 on the 11th (16:30 UTC on the 10th) is the 11th's.
    assert by_day == {
        11: ("139.80", 2, "25.16", "0.00"),
        12: ("150.00", 1, "0.00", "45.00"),
    }


def test_settled_figures_are_what_the_ledger_holds(market):
    for organisation, kind, sign in [
        (market.buyer, Account.Kind.BUYER_EARNINGS, 1),
        (market.provider, Account.Kind.PROVIDER_FEES, 1),
        (market.merchant, Account.Kind.MERCHANT_PAYABLE, -1),
    ]:
        settled = dashboard_for(organisation=organisation, period=NOVEMBER).settled

        assert settled == sign * ledger.balances(organisation=organisation)[kind]


SCARF, DRESS, AUTUMN = ("Silk scarf", "P1"), ("Linen dress", "P2"), ("Autumn silk", "")
TOP = {
    "buyer": {
        "products": [(*DRESS, "150.00", 1), (*SCARF, "139.80", 2)],
        "campaigns": [(*AUTUMN, "289.80", 3)],
    },
    "provider": {
        "buyers": [("B", "", "289.80", 3), ("Second buyer", "", "150.00", 2)],
        "campaigns": [(*AUTUMN, "439.80", 5)],  # the second-level sale counts under C1
    },
    "merchant": {
        "products": [(*SCARF, "289.80", 4), (*DRESS, "190.00", 2)],
        "buyers": [("B", "", "289.80", 3), ("Second buyer", "", "190.00", 3)],
    },
}


@pytest.mark.parametrize("role", ["buyer", "provider", "merchant"])
def test_top_lists_rank_by_gmv(market, role):
    dashboard = dashboard_for(organisation=org_of(market, role), period=NOVEMBER)
    names = {market.buyer.name: "B"}
    top = {
        kind: [(names.get(row.name, row.name), row.sku, str(row.gmv), row.orders) for row in rows]
        for kind, rows in dashboard.top.items()
    }

    assert top == TOP[role]


def test_the_summary_is_the_dashboards_totals_without_details(market):
    summary = summary_for(organisation=market.merchant, period=NOVEMBER)

    assert figures(summary) == EXPECTED["merchant"]
    assert (summary.daily, summary.top) == ([], {})


def test_a_void_commission_counts_as_neither_estimated_nor_settled(market):
    voided = Commission.objects.filter(buyer=market.buyer, status="void").count()

    assert voided == 1
    assert dashboard_for(organisation=market.buyer, period=NOVEMBER).estimated == D("25.16")


@pytest.mark.parametrize(
    "ask, start, end",
    [
        ({}, date(2026, 10, 22), date(2026, 11, 20)),
        ({"days": 7}, date(2026, 11, 14), date(2026, 11, 20)),
        ({"days": 30}, date(2026, 10, 22), date(2026, 11, 20)),
        ({"days": 90}, date(2026, 8, 23), date(2026, 11, 20)),
        ({"start": date(2026, 1, 1), "end": date(2026, 1, 1)}, date(2026, 1, 1), date(2026, 1, 1)),
        ({"start": date(2025, 11, 20)}, date(2025, 11, 20), date(2026, 11, 20)),  # 366 days
        ({"end": date(2026, 6, 30)}, date(2026, 6, 1), date(2026, 6, 30)),
    ],
)  # fmt: skip
def test_a_range_is_days_back_from_today_or_dates_both_included(ask, start, end):
    period = period_for(today=date(2026, 11, 20), **ask)

    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    "ask, field, message",
    [
        ({"days": 14}, "range", "Choose 7, 30 or 90 days."),
        ({"days": 7, "start": date(2026, 11, 1)}, "range",
         "Choose a number of days or dates, not both."),
        ({"start": date(2026, 11, 2), "end": date(2026, 11, 1)}, "from",
         "The range starts after it ends."),
        ({"start": date(2025, 11, 19)}, "from", "Ask for at most 366 days."),
    ],
)  # fmt: skip
def test_a_bad_range_names_its_field(ask, field, message):
    with pytest.raises(DomainError) as error:
        period_for(today=date(2026, 11, 20), **ask)

    assert (error.value.field, error.value.message) == (field, message)


def test_a_role_without_sales_sees_zeros(member_factory):
    merchant = member_factory(Role.MERCHANT).organisation

    dashboard = dashboard_for(organisation=merchant, period=NOVEMBER)

    assert figures(dashboard) == {
        "clicks": 0, "orders": 0, "gmv": "0.00", "conversion_rate": "0.0000",
        "estimated": "0.00", "settled": "0.00",
    }  # fmt: skip
    assert len(dashboard.daily) == 20 and dashboard.top == {"products": [], "buyers": []}
