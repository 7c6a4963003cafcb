"""Reads of orders, scoped through ``accounts.scoping.visible_to``.

An order is visible to its merchant and to every buyer and provider one of
its lines is attributed to (``Order.organisation_paths``). Its lines are
scoped the same way (``OrderLine.organisation_paths``): the merchant sees
every line, a buyer or provider only the lines attributed to it, so nobody
learns what another buyer sold in the same basket.
"""

from datetime import date, datetime, time, timedelta

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.scoping import visible_to
from commissions.models import Order, OrderImport, OrderLine
from core import dates


def day_start(day: date) -> datetime:
    """Midnight of the day in the platform's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def visible_lines(organisation: Organisation | None) -> QuerySet[OrderLine]:
    lines = OrderLine.objects.select_related(
        "link__buyer", "link__enrollment__campaign", "commission"
    )
    return visible_to(lines, organisation).order_by("position")


def orders_for(*, organisation: Organisation | None) -> QuerySet[Order]:
    """The caller's orders with their visible lines in ``order.visible_lines`` (one query
    for the orders, one for all their lines)."""
    lines = Prefetch("lines", queryset=visible_lines(organisation), to_attr="visible_lines")
    return visible_to(Order.objects.all(), organisation).prefetch_related(lines)


def imports_of(*, merchant: Organisation | None) -> QuerySet[OrderImport]:
    return visible_to(OrderImport.objects.defer("content"), merchant)


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Order.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    paid_from = dates.DateFilter(
        method="filter_paid_from", label=_("Paid from"), help_text=_("YYYY-MM-DD, included.")
    )
    paid_to = dates.DateFilter(
        method="filter_paid_to", label=_("Paid to"), help_text=_("YYYY-MM-DD, included.")
    )
    search = django_filters.CharFilter(
        field_name="external_id", lookup_expr="icontains", label=_("Order id")
    )

    class Meta:
        model = Order
        fields: list[str] = []

    def filter_paid_from(self, qs: QuerySet, name: str, value: date) -> QuerySet:
        return qs.filter(paid_at__gte=day_start(value))

    def filter_paid_to(self, qs: QuerySet, name: str, value: date) -> QuerySet:
        return qs.filter(paid_at__lt=day_start(value + timedelta(days=1)))


def filtered_orders(*, organisation: Organisation | None, params) -> OrderFilter:
    return OrderFilter(params, queryset=orders_for(organisation=organisation))
