"""Link performance over a date range: clicks, unique clicks, orders, GMV, conversion.

Counted clicks leave out bots, 30-second repeats and clicks of links that could not earn
then. An order counts for a link when one of its lines is attributed to the link and it was
paid in the range and not cancelled; GMV is what those lines were paid less refunds.
Conversion is the orders that came through a recorded click over counted clicks; orders
credited by link code alone (no click of ours before them) are counted and shown apart, since
they never went through a click to convert.
Each figure is one aggregate query, whatever the number of links.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from commissions.models import AffiliateLink, Click, Order, OrderLine
from core.money import money

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_current_timezone()
        first = datetime.combine(self.start, time.min, tzinfo=zone)
        return first, datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(start=today - timedelta(days=days - 1), end=today)


@dataclass(frozen=True)
class LinkStats:
    clicks: int
    unique_clicks: int
    orders: int
    gmv: Decimal
    conversion_rate: Decimal
    orders_by_click: int = 0
    orders_by_link_code: int = 0


def link_stats(*, links: QuerySet[AffiliateLink], period: Period) -> LinkStats:
    first, after = period.bounds
    counted = Click.objects.filter(
        link__in=links,
        clicked_at__gte=first,
        clicked_at__lt=after,
        is_bot=False,
        is_duplicate=False,
        not_promotable="",
    ).aggregate(clicks=Count("id"), unique_clicks=Count("ip_hash", distinct=True))
    sold = OrderLine.objects.filter(
        link__in=links, order__paid_at__gte=first, order__paid_at__lt=after
    ).exclude(order__status=Order.Status.CANCELLED)
    sales = sold.aggregate(
        orders=Count("order", distinct=True),
        orders_by_click=Count("order", distinct=True, filter=Q(click__isnull=False)),
        gmv=Coalesce(
            Sum(F("amount") - F("refunded_amount")),
            Value(ZERO),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
    )
    clicks, by_click = counted["clicks"], sales["orders_by_click"]
    rate = Decimal(by_click) / clicks if clicks else Decimal(0)
    return LinkStats(
        clicks=clicks,
        unique_clicks=counted["unique_clicks"],
        orders=sales["orders"],
        gmv=money(sales["gmv"]),
        conversion_rate=rate.quantize(Decimal("0.0001"), ROUND_HALF_UP),
        orders_by_click=by_click,
        orders_by_link_code=sales["orders"] - by_click,
    )
