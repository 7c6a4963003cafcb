"""Reads of commissions, scoped through ``accounts.scoping.visible_to``.

Each party of a line sees its commission (``Commission.organisation_paths``:
merchant, buyer, provider and, for a second level, the upstream provider),
with the whole split: every party is owed a part of the same figures.

The caller's *share* of a line is what it is about: what the merchant pays,
what the buyer nets, what the provider (or the upstream provider) nets.
Estimated figures are the current split; settled figures are the ``posted_*``
ones settlement wrote to the ledger. The two are never added together.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Role
from accounts.scoping import visible_to
from commissions.models import Commission, Order
from core import dates
from core.fields import MAX_ID
from core.money import money

Status = Commission.Status
NOT_YET_SETTLED = (Status.ESTIMATED, Status.SETTLEABLE)
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


def commissions_for(*, organisation: Organisation | None) -> QuerySet[Commission]:
    """The caller's commissions with what a list shows (line, order and parties) joined."""
    related = ("line", "order", "merchant", "buyer", "provider", "upstream_provider")
    return visible_to(Commission.objects.select_related(*related), organisation)


def day_start(day: date) -> datetime:
    """Midnight of the day in the platform's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


class CommissionFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        # Days outside core.dates' range are already errors on their field (and left out here).
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("from", _("The range starts after it ends."))
        return cleaned


class CommissionFilter(django_filters.FilterSet):
    """``status``, ``order`` (id) and ``from`` / ``to``: local days of ``earned_at``, included."""

    status = django_filters.ChoiceFilter(
        choices=Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    order = django_filters.NumberFilter(
        field_name="order_id", label=_("Order"), min_value=1, max_value=MAX_ID
    )

    class Meta:
        model = Commission
        fields: list[str] = []
        form = CommissionFilterForm

    def filter_from(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(earned_at__gte=day_start(value))

    def filter_to(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(earned_at__lt=day_start(value + timedelta(days=1)))


# "from" is a Python keyword, so these two cannot be declared in the class body.
CommissionFilter.base_filters["from"] = dates.DateFilter(
    field_name="earned_at", method="filter_from", label=_("From"), help_text=_("YYYY-MM-DD")
)
CommissionFilter.base_filters["to"] = dates.DateFilter(
    field_name="earned_at", method="filter_to", label=_("To"), help_text=_("YYYY-MM-DD")
)


def share(organisation: Organisation, *, posted: bool = False):
    """The SQL expression of the organisation's share of a line (see the module docstring)."""
    prefix = "posted_" if posted else ""
    if organisation.role == Role.MERCHANT:
        return F(f"{prefix}merchant_pays")
    if organisation.role == Role.BUYER:
        return F(f"{prefix}buyer_net")
    return Case(
        When(provider=organisation, then=F(f"{prefix}provider_net")),
        default=F(f"{prefix}upstream_net"),
        output_field=MONEY_FIELD,
    )


def share_of(commission: Commission, organisation: Organisation, *, posted: bool = False):
    """The organisation's share of one commission, as ``share`` computes it in SQL."""
    prefix = "posted_" if posted else ""
    if organisation.role == Role.MERCHANT:
        return getattr(commission, f"{prefix}merchant_pays")
    if organisation.role == Role.BUYER:
        return getattr(commission, f"{prefix}buyer_net")
    mine = "provider_net" if commission.provider_id == organisation.pk else "upstream_net"
    return getattr(commission, f"{prefix}{mine}")


def attach_shares(commissions, organisation: Organisation) -> None:
    """Set ``share`` (estimated: the current split), ``posted_share`` (settled) and
    ``adjustment`` (current less posted, on settled lines: a clawback not posted yet)."""
    for commission in commissions:
        commission.share = share_of(commission, organisation)
        commission.posted_share = share_of(commission, organisation, posted=True)
        commission.adjustment = commission.share - commission.posted_share


def total(expression, condition: Q):
    return Coalesce(
        Sum(expression, filter=condition), Value(Decimal("0")), output_field=MONEY_FIELD
    )


def commission_totals(queryset: QuerySet[Commission], organisation: Organisation) -> dict:
    """Counts and the caller's share per status, in one aggregate query.

    ``estimated`` adds the current figures of the lines not yet settled (``settleable``
    is the part of them settlement may take now); ``settled`` adds the posted figures of
    settled lines and ``adjustments`` what later refunds changed on them (the clawback the
    next settlement run posts).
    """
    current, posted = share(organisation), share(organisation, posted=True)
    settled = Q(status=Status.SETTLED)
    figures = queryset.order_by().aggregate(
        lines=Count("pk"),
        estimated_lines=Count("pk", filter=Q(status__in=NOT_YET_SETTLED)),
        settleable_lines=Count("pk", filter=Q(status=Status.SETTLEABLE)),
        settled_lines=Count("pk", filter=settled),
        void_lines=Count("pk", filter=Q(status=Status.VOID)),
        estimated=total(current, Q(status__in=NOT_YET_SETTLED)),
        settleable=total(current, Q(status=Status.SETTLEABLE)),
        settled=total(posted, settled),
        adjustments=total(current - posted, settled),
    )
    for name in ("estimated", "settleable", "settled", "adjustments"):
        figures[name] = money(figures[name])
    return figures


def is_settleable(commission: Commission, as_of: date) -> bool:
    """Rule of DESIGN.md: a line not yet settled is settleable once its order is confirmed
    and the campaign's settlement delay has passed: confirmed_at's local date plus the
    campaign's settlement_delay_days is ``as_of`` or earlier. Void lines never are."""
    order = commission.order
    if commission.status not in NOT_YET_SETTLED or order.confirmed_at is None:
        return False
    if order.status not in (Order.Status.CONFIRMED, Order.Status.SETTLED):
        return False
    delay = timedelta(days=commission.enrollment.campaign.settlement_delay_days)
    return timezone.localdate(order.confirmed_at) + delay <= as_of
