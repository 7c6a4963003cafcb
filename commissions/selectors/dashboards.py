"""The money dashboard of each role over a range of days: sales, clicks and commission.

Who sees what (an explicit rule on top of ``accounts.scoping.visible_to``):

- sales and clicks come from the organisation's links: those ``visible_to``
  shows it on ``AffiliateLink`` (a buyer's own links, a merchant's products'
  links, a provider's campaigns' links) plus, for a provider, the links of
  second-level re-offers of its enrollments, where it is the upstream provider;
- commission comes from ``visible_to`` on ``Commission`` (the buyer, merchant,
  provider or upstream provider of the line), and each role's own share as
  ``commissions.selectors.commissions`` defines it for the commission list:
  buyer_net for a buyer, provider_net (or upstream_net where it is the upstream
  provider) for a provider, merchant_pays for a merchant.

GMV, orders and counted clicks are those of ``commissions.selectors.stats``:
the totals come from ``link_stats`` itself, and the daily series and top lists
group the same lines (attributed, paid in the range, order not cancelled; GMV is
amount less refunds). Commission is dated by when the order was paid
(``earned_at``), like GMV, and shown twice, never mixed: "estimated" is the
current figure of commissions still estimated or settleable, "settled" the
figure posted to the ledger (``posted_*``) of settled commissions. Void
commissions count in neither.

Every figure is one query whatever the number of rows: two for the totals of
sales and clicks, one grouped query per daily series, one per commission
total, one per top list.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role
from accounts.scoping import visible_to
from commissions.models import AffiliateLink, Commission, Order, OrderLine
from commissions.selectors.commissions import NOT_YET_SETTLED, commission_totals, share, total
from commissions.selectors.stats import Period, link_stats
from core.errors import DomainError
from core.money import money

RANGES = (7, 30, 90)
DEFAULT_RANGE = 30
MAX_DAYS = 366
TOP_SIZE = 5
ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)

# The top lists each role sees.
TOPS = {
    Role.BUYER: ("products", "campaigns"),
    Role.PROVIDER: ("buyers", "campaigns"),
    Role.MERCHANT: ("products", "buyers"),
}


@dataclass(frozen=True)
class Day:
    date: date
    gmv: Decimal
    orders: int
    estimated: Decimal
    settled: Decimal


@dataclass(frozen=True)
class TopRow:
    id: int
    name: str
    gmv: Decimal
    orders: int
    sku: str = ""


@dataclass(frozen=True)
class Dashboard:
    period: Period
    role: str
    gmv: Decimal
    orders: int
    clicks: int
    conversion_rate: Decimal
    estimated: Decimal
    settled: Decimal
    orders_by_link_code: int = 0
    daily: list[Day] = field(default_factory=list)
    top: dict[str, list[TopRow]] = field(default_factory=dict)

    @property
    def conversion_percent(self) -> Decimal:
        return (self.conversion_rate * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def chart(self) -> dict:
        """The daily series as plain JSON for the chart (money as strings)."""
        return {
            "dates": [day.date.isoformat() for day in self.daily],
            "gmv": [str(day.gmv) for day in self.daily],
            "orders": [day.orders for day in self.daily],
            "estimated": [str(day.estimated) for day in self.daily],
            "settled": [str(day.settled) for day in self.daily],
        }


def period_for(
    *,
    days: int | None = None,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> Period:
    """The range asked for: the last 7, 30 or 90 days (today included) or from..to, both
    included, at most 366 days. Nothing asked: the last 30 days."""
    today = today or timezone.localdate()
    if days is not None and (start or end):
        raise DomainError(_("Choose a number of days or dates, not both."), field="range")
    if days is not None and days not in RANGES:
        raise DomainError(_("Choose 7, 30 or 90 days."), field="range")
    if not (start or end):
        return Period.last_days(days or DEFAULT_RANGE, today=today)
    end = end or today
    start = start or end - timedelta(days=DEFAULT_RANGE - 1)
    if start > end:
        raise DomainError(_("The range starts after it ends."), field="from")
    if (end - start).days >= MAX_DAYS:
        raise DomainError(_("Ask for at most %(days)s days.") % {"days": MAX_DAYS}, field="from")
    return Period(start=start, end=end)


def dashboard_links(organisation: Organisation) -> QuerySet[AffiliateLink]:
    """The links whose sales and clicks count for the organisation: what ``visible_to`` shows
    its role (a test holds them equal), plus a provider's second-level re-offers; filtered on
    the role's own column so the database need not OR across three joins."""
    if organisation.role == Role.BUYER:
        return AffiliateLink.objects.filter(buyer=organisation)
    if organisation.role == Role.MERCHANT:
        return AffiliateLink.objects.filter(enrollment__product__merchant=organisation)
    return AffiliateLink.objects.filter(
        Q(enrollment__campaign__provider=organisation)
        | Q(enrollment__parent__campaign__provider=organisation)
    )


def sold_lines(*, links: QuerySet[AffiliateLink], period: Period) -> QuerySet[OrderLine]:
    """The lines ``link_stats`` counts: attributed to the links, paid in the range, the order
    not cancelled."""
    first, after = period.bounds
    return OrderLine.objects.filter(
        link__in=links, order__paid_at__gte=first, order__paid_at__lt=after
    ).exclude(order__status=Order.Status.CANCELLED)


def gmv_sum() -> Coalesce:
    return Coalesce(Sum(F("amount") - F("refunded_amount")), Value(ZERO), output_field=MONEY_FIELD)


def commission_sums(organisation: Organisation) -> dict:
    """The organisation's share, estimated and settled: the commission list's definition."""
    settled = Q(status=Commission.Status.SETTLED)
    return {
        "estimated": total(share(organisation), Q(status__in=NOT_YET_SETTLED)),
        "settled": total(share(organisation, posted=True), settled),
    }


def earned_commissions(organisation: Organisation, period: Period) -> QuerySet[Commission]:
    first, after = period.bounds
    return visible_to(Commission.objects.all(), organisation).filter(
        earned_at__gte=first, earned_at__lt=after
    )


def cents(value: Decimal | None) -> Decimal:
    """A sum from the database (None when there were no rows) as yuan to the fen."""
    return money(value or ZERO)


def daily_series(
    *, organisation: Organisation, lines: QuerySet[OrderLine], period: Period
) -> list[Day]:
    """GMV and orders per day, and commission per day: one grouped query each, zero-filled."""
    zone = timezone.get_current_timezone()
    sales = {
        row["day"]: row
        for row in lines.annotate(day=TruncDate("order__paid_at", tzinfo=zone))
        .values("day")
        .annotate(orders=Count("order", distinct=True), gmv=gmv_sum())
        .order_by("day")
    }
    earnings = {
        row["day"]: row
        for row in earned_commissions(organisation, period)
        .annotate(day=TruncDate("earned_at", tzinfo=zone))
        .values("day")
        .annotate(**commission_sums(organisation))
        .order_by("day")
    }
    days = []
    for offset in range((period.end - period.start).days + 1):
        day = period.start + timedelta(days=offset)
        sold, earned = sales.get(day, {}), earnings.get(day, {})
        days.append(
            Day(
                date=day,
                gmv=cents(sold.get("gmv")),
                orders=sold.get("orders", 0),
                estimated=cents(earned.get("estimated")),
                settled=cents(earned.get("settled")),
            )
        )
    return days


def own_campaign(organisation: Organisation, column: str) -> Case:
    """A provider's own campaign of a line: the link's campaign, or for a second-level
    re-offer where it is upstream, the campaign of the first level."""
    return Case(
        When(link__enrollment__campaign__provider=organisation,
             then=F(f"link__enrollment__campaign__{column}")),
        default=F(f"link__enrollment__parent__campaign__{column}"),
    )  # fmt: skip


def top_rows(*, organisation: Organisation, lines: QuerySet[OrderLine], kind: str) -> list[TopRow]:
    """The best sellers of one kind by GMV, then orders; one grouped query."""
    if kind == "products":
        keys = {
            "key": F("link__enrollment__product_id"),
            "label": F("link__enrollment__product__title"),
            "code": F("link__enrollment__product__sku"),
        }
    elif kind == "buyers":
        keys = {"key": F("link__buyer_id"), "label": F("link__buyer__name"), "code": Value("")}
    elif organisation.role == Role.PROVIDER:
        keys = {
            "key": own_campaign(organisation, "id"),
            "label": own_campaign(organisation, "name"),
            "code": Value(""),
        }
    else:
        keys = {
            "key": F("link__enrollment__campaign_id"),
            "label": F("link__enrollment__campaign__name"),
            "code": Value(""),
        }
    rows = (
        lines.values(**keys)
        .annotate(gmv=gmv_sum(), orders=Count("order", distinct=True))
        .order_by("-gmv", "-orders", "key")[:TOP_SIZE]
    )
    return [
        TopRow(id=row["key"], name=row["label"], sku=row["code"], gmv=cents(row["gmv"]),
               orders=row["orders"])
        for row in rows
    ]  # fmt: skip


def summary_for(*, organisation: Organisation, period: Period) -> Dashboard:
    """The totals alone (no daily series, no top lists), in three queries."""
    stats = link_stats(links=dashboard_links(organisation), period=period)
    totals = commission_totals(earned_commissions(organisation, period), organisation)
    return Dashboard(
        period=period,
        role=organisation.role,
        gmv=stats.gmv,
        orders=stats.orders,
        clicks=stats.clicks,
        conversion_rate=stats.conversion_rate,
        orders_by_link_code=stats.orders_by_link_code,
        estimated=cents(totals["estimated"]),
        settled=cents(totals["settled"]),
    )


def dashboard_for(*, organisation: Organisation, period: Period) -> Dashboard:
    """The organisation's dashboard over the period, in a fixed number of queries."""
    summary = summary_for(organisation=organisation, period=period)
    lines = sold_lines(links=dashboard_links(organisation), period=period)
    return replace(
        summary,
        daily=daily_series(organisation=organisation, lines=lines, period=period),
        top={
            kind: top_rows(organisation=organisation, lines=lines, kind=kind)
            for kind in TOPS[organisation.role]
        },
    )
