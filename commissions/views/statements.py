"""Portal pages of money: monthly statements (members; operators for any organisation) and
the operators' payouts page."""

import uuid
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import MEMBERS, OPERATOR, Role
from accounts.permissions import MemberRequiredMixin, OperatorRequiredMixin
from commissions.selectors.payouts import balances_owed, payout_amount, payouts_for
from commissions.selectors.statements import (
    last_month,
    parse_month,
    statement_for,
    statement_organisation,
)
from commissions.services.payouts import COLLECTION, PAYOUT, record_payment
from core.errors import DomainError
from core.fields import MAX_ID, parse_id
from core.htmx import is_htmx
from core.money import money

MAX_BALANCE_ROWS = 500
RECENT_PAYOUTS = 20
SECTION_LABELS = [
    ("lines", gettext_lazy("Settled lines")),
    ("clawbacks", gettext_lazy("Clawbacks")),
    ("incentives", gettext_lazy("Incentives")),
    ("payouts", gettext_lazy("Payouts")),
    ("payments", gettext_lazy("Payments")),
    ("corrections", gettext_lazy("Corrections")),
]


class StatementView(MemberRequiredMixin, View):
    """A month's statement with a month picker, totals and the CSV download."""

    allowed_roles = (*MEMBERS, OPERATOR)

    def get(self, request):
        organisation_id = request.GET.get("organisation")
        if request.user.role == OPERATOR and not organisation_id:
            messages.info(request, _("Choose an organisation on the payouts page."))
            return redirect("operator-payouts")
        organisation = statement_organisation(user=request.user, organisation_id=organisation_id)
        try:
            month = parse_month(request.GET.get("month"))
        except DomainError as error:
            messages.error(request, error.message)
            month = last_month()
        statement = statement_for(organisation=organisation, month=month)
        query = {"month": f"{month:%Y-%m}", "format": "csv"}
        if request.user.role == OPERATOR:
            query["organisation"] = organisation.pk
        sections = [
            (name, label, statement.sections[name], statement.totals[name])
            for name, label in SECTION_LABELS
        ]
        return render(request, "commissions/statements/statement.html", {
            "statement": statement, "sections": sections, "month_value": f"{month:%Y-%m}",
            "csv_url": f"{reverse('api-statements')}?{urlencode(query)}",
            "organisation_param": organisation.pk if request.user.role == OPERATOR else "",
        })  # fmt: skip


class PaymentForm(forms.Form):
    organisation = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=[(PAYOUT, PAYOUT), (COLLECTION, COLLECTION)],
                             widget=forms.HiddenInput)  # fmt: skip
    key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    amount = forms.DecimalField(label=gettext_lazy("Amount"), max_digits=14, decimal_places=2)


def kind_for(organisation) -> str:
    return COLLECTION if organisation.role == Role.MERCHANT else PAYOUT


class PayoutsView(OperatorRequiredMixin, View):
    """What each organisation is owed (or owes), with a pay form per row; recent payouts.

    Each rendering gives every form a fresh idempotency key, so a form submitted twice
    pays once."""

    def context(self, *, failed: int | None = None, error: str = "", entered=None) -> dict:
        rows = []
        for organisation in balances_owed()[:MAX_BALANCE_ROWS]:
            owed = money(abs(organisation.balance))
            rows.append({
                "organisation": organisation, "owed": owed, "kind": kind_for(organisation),
                "owes_platform": organisation.balance < 0, "key": uuid.uuid4().hex,
                "amount": entered if organisation.pk == failed else owed,
                "error": error if organisation.pk == failed else "",
            })  # fmt: skip
        recent = [
            (payout, payout_amount(payout))
            for payout in payouts_for(user=self.request.user)[:RECENT_PAYOUTS]
        ]
        return {"rows": rows, "recent": recent}

    def get(self, request):
        return render(request, "commissions/statements/payouts.html", self.context())

    def post(self, request):
        form = PaymentForm(request.POST)
        failed, error, entered, notice = None, "", None, ""
        if not form.is_valid():
            failed = form.data.get("organisation")
            failed = parse_id(failed)
            error = " ".join(str(message) for errors in form.errors.values() for message in errors)
            entered = form.data.get("amount")
        else:
            data = form.cleaned_data
            try:
                recorded = record_payment(
                    organisation_id=data["organisation"], kind=data["kind"],
                    amount=Decimal(data["amount"]), key=data["key"], by=request.user,
                )  # fmt: skip
                notice = (
                    recorded.transaction.memo
                    if recorded.created
                    else _("This payment was recorded already; nothing more was paid.")
                )
            except DomainError as exc:
                failed, error, entered = data["organisation"], exc.message, data["amount"]
        if is_htmx(request):
            context = {**self.context(failed=failed, error=error, entered=entered),
                       "notice": notice}  # fmt: skip
            return render(request, "commissions/statements/partials/payouts.html", context)
        if notice:
            messages.success(request, notice)
            return redirect("operator-payouts")
        messages.error(request, error)
        context = self.context(failed=failed, error=error, entered=entered)
        return render(request, "commissions/statements/payouts.html", context)


urlpatterns = [
    path("statements/", StatementView.as_view(), name="statements"),
    path("operator/payouts/", PayoutsView.as_view(), name="operator-payouts"),
]
