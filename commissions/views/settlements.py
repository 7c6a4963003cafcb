"""The operators' settlement page: runs with their progress, the platform's balances, and
a "Run now" form. A running run's row polls itself (htmx) until it has finished."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.permissions import OperatorRequiredMixin
from commissions import settlement, tasks
from commissions.models import SettlementRun
from commissions.selectors.ledger import account_balances, settlement_runs
from core import dates
from core.errors import DomainError

app_name = "settlements"
SHOWN_RUNS = 30


class SettlementForm(forms.Form):
    as_of = dates.DateFormField(
        label=gettext_lazy("Settle as of"),
        help_text=gettext_lazy("Lines whose return window has passed by this date are settled."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class SettlementListView(OperatorRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return page(request, SettlementForm(initial={"as_of": timezone.localdate()}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SettlementForm(request.POST)
        if not form.is_valid():
            return page(request, form, status=400)
        try:
            run = settlement.start_settlement(
                as_of=form.cleaned_data["as_of"],
                by=request.user,
                enqueue=tasks.settle_commissions.delay,
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
            return page(request, form, status=400)
        messages.success(request, outcome_message(run))
        return redirect("settlements:index")


def outcome_message(run: SettlementRun) -> str:
    if run.status == SettlementRun.Status.RUNNING:
        return _("The settlement as of %(date)s is running; its progress shows below.") % {
            "date": run.as_of.isoformat()
        }
    return _(
        "Settlement as of %(date)s: %(settled)d settled, %(clawbacks)d clawbacks, "
        "%(voided)d voided."
    ) % {
        "date": run.as_of.isoformat(),
        "settled": run.settled,
        "clawbacks": run.clawbacks,
        "voided": run.voided,
    }


def page(request: HttpRequest, form: SettlementForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "runs": settlement_runs()[:SHOWN_RUNS],
        "balances": account_balances(organisation=None, platform=True),
    }
    return render(request, "commissions/settlements/index.html", context, status=status)


class SettlementRunStatusView(OperatorRequiredMixin, View):
    """One run's table row, polled while the run is running."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(settlement_runs(), pk=pk)
        return render(request, "commissions/settlements/partials/run_row.html", {"run": run})


urlpatterns = [
    path("operator/settlements/", SettlementListView.as_view(), name="index"),
    path("operator/settlements/<int:pk>/status/", SettlementRunStatusView.as_view(), name="status"),
]
