"""The portal's money dashboard per role, and the "last 30 days" block of the home pages."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from commissions.selectors.dashboards import (
    RANGES,
    Dashboard,
    dashboard_for,
    period_for,
    summary_for,
)
from commissions.selectors.stats import Period
from core import dates
from core.errors import DomainError
from core.htmx import is_htmx

MEMBERS = (Role.MERCHANT, Role.BUYER, Role.PROVIDER)
FIGURE_LABELS = {
    Role.BUYER: _("Your commission"),
    Role.PROVIDER: _("Your service fee"),
    Role.MERCHANT: _("What you pay"),
}
LEADS = {
    Role.BUYER: _("Sales through your links, their clicks and your commission after the "
                  "platform fee."),
    Role.PROVIDER: _("Sales in your campaigns, including second-level re-offers of your "
                     "enrollments, and your service fee after the platform fee."),
    Role.MERCHANT: _("Sales of your products through buyers' links, and the commission and "
                     "service fees you pay for them."),
}  # fmt: skip
TOP_TITLES = {
    "products": _("Top products"),
    "buyers": _("Top buyers"),
    "campaigns": _("Top campaigns"),
}


class RangeForm(forms.Form):
    """The last 7/30/90 days, or from..to; ``period_for`` holds the rule."""

    range = forms.IntegerField(
        required=False, widget=forms.HiddenInput,
        error_messages={"invalid": _("Choose 7, 30 or 90 days.")},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the fields are added by name.
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = dates.DateFormField(
            required=False, label=_("From"), widget=date_input
        )
        self.fields["to"] = dates.DateFormField(required=False, label=_("To"), widget=date_input)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["period"] = period_for(
                days=data.get("range"), start=data.get("from"), end=data.get("to")
            )
        except DomainError as error:
            self.add_error(error.field, error.message)
        return data


def chart_data(dashboard: Dashboard, figure_label: str) -> dict:
    """What static/js/dashboard-chart.js draws, labels already translated."""
    return {
        **dashboard.chart,
        "labels": {
            "gmv": str(_("GMV")),
            "orders": str(_("Orders")),
            "estimated": f"{figure_label} · {_('estimated')}",
            "settled": f"{figure_label} · {_('settled')}",
        },
    }


def dashboard_context(request: HttpRequest, period: Period | None) -> dict:
    organisation = request.user.organisation
    role = organisation.role
    context = {"figure_label": FIGURE_LABELS[role], "lead": LEADS[role], "ranges": RANGES}
    if period is None:
        return context
    dashboard = dashboard_for(organisation=organisation, period=period)
    return {
        **context,
        "dashboard": dashboard,
        "chart": chart_data(dashboard, str(FIGURE_LABELS[role])),
        "tops": [(TOP_TITLES[kind], kind, rows) for kind, rows in dashboard.top.items()],
    }


class DashboardView(MemberRequiredMixin, View):
    """Figures, chart and top lists over a range; htmx swaps the body when the range changes."""

    allowed_roles = MEMBERS

    def get(self, request: HttpRequest) -> HttpResponse:
        form = RangeForm(request.GET)
        period = form.cleaned_data["period"] if form.is_valid() else None
        context = {**dashboard_context(request, period), "form": form}
        if period is not None:
            custom = bool(form.cleaned_data.get("from") or form.cleaned_data.get("to"))
            context["active_range"] = None if custom else (period.end - period.start).days + 1
        # A history restore wants the whole page, although htmx asks for it.
        partial = is_htmx(request) and not request.headers.get("HX-History-Restore-Request")
        template = "partials/body.html" if partial else "page.html"
        response = render(request, f"commissions/dashboards/{template}", context)
        patch_vary_headers(response, ["HX-Request"])
        return response


class DashboardSummaryView(MemberRequiredMixin, View):
    """The last 30 days in a few figures; the home page loads it with htmx."""

    allowed_roles = MEMBERS

    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            "figure_label": FIGURE_LABELS[request.user.role],
            "summary": summary_for(organisation=request.user.organisation, period=period_for()),
        }
        return render(request, "commissions/dashboards/partials/summary.html", context)


urlpatterns = [
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("dashboard/summary/", DashboardSummaryView.as_view(), name="dashboard-summary"),
]
