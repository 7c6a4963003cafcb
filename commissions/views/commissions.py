"""The Commissions page of every member role: its lines with estimated and settled figures side
by side, totals per status, filters by status and date range (the table re-renders by htmx)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from commissions.selectors.commissions import (
    CommissionFilter,
    attach_shares,
    commission_totals,
    commissions_for,
)
from core.htmx import is_htmx
from core.paging import query_without_page
from matchmaking.rates import percent

PAGE_SIZE = 50
MEMBERS = (Role.MERCHANT, Role.BUYER, Role.PROVIDER)


class CommissionListView(MemberRequiredMixin, View):
    """Merchants see what they pay, buyers what they earn, providers their fee (also as the
    upstream provider of a second level), each line's estimate next to what was settled."""

    allowed_roles = MEMBERS

    def get(self, request: HttpRequest) -> HttpResponse:
        organisation = request.user.organisation
        found = CommissionFilter(request.GET, queryset=commissions_for(organisation=organisation))
        rows = found.qs if found.is_valid() else found.queryset.none()
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        attach_shares(page, organisation)
        for commission in page:
            commission.rates = rates_text(commission)
        context = {
            "filter": found,
            "page": page,
            "totals": commission_totals(rows, organisation),
            "query": query_without_page(request),
            "share_label": share_label(request.user.role),
        }
        template = "commissions/commissions/partials/results.html"
        if not is_htmx(request):
            template = "commissions/commissions/list.html"
        return render(request, template, context)


def rates_text(commission) -> str:
    parts = [percent(commission.commission_rate), percent(commission.service_fee_rate)]
    if commission.upstream_fee_rate is not None:
        parts.append(percent(commission.upstream_fee_rate))
    return " / ".join(parts)


def share_label(role: str) -> str:
    return {
        Role.MERCHANT: _("You pay"),
        Role.BUYER: _("You earn"),
        Role.PROVIDER: _("Your fee"),
    }[role]


urlpatterns = [path("commissions/", CommissionListView.as_view(), name="commissions")]
