"""Portal pages of change requests: the merchant asks, the provider decides; rate history."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from core.errors import DomainError
from core.htmx import is_htmx
from matchmaking.models import ChangeRequest, Enrollment
from matchmaking.rates import percent
from matchmaking.selectors.change_requests import (
    change_requests_for,
    changeable_enrollments,
    days_left,
    enrollment_rates_for,
    pending_change_requests_for_provider,
    visible_enrollments,
)
from matchmaking.services.change_requests import (
    accept_change_request,
    reject_change_request,
    request_change,
)
from matchmaking.views.campaign_forms import PercentField

PAGE_SIZE = 50
RECENTLY_DECIDED = 20


def rate_label(commission_rate: Decimal | None, service_fee_rate: Decimal | None) -> str:
    if commission_rate is None:
        return ""
    return _("%(commission)s commission + %(fee)s service fee") % {
        "commission": percent(commission_rate),
        "fee": percent(service_fee_rate),
    }


def rates_of(enrollment: Enrollment) -> tuple[Decimal, Decimal]:
    return enrollment.commission_rate, enrollment.service_fee_rate


def row_for(change_request: ChangeRequest, *, now=None) -> dict:
    """What a table row shows: current against requested rates and the days left."""
    enrollment = change_request.enrollment
    return {
        "change_request": change_request,
        "current": rate_label(*rates_of(enrollment)),
        "requested": rate_label(change_request.commission_rate, change_request.service_fee_rate),
        "days_left": days_left(change_request, now=now),
    }


class ChangeRequestForm(forms.Form):
    """Rates are typed as percentages (25 means 25 %) and stored as fractions."""

    enrollment = forms.ModelChoiceField(
        queryset=Enrollment.objects.none(), label=gettext_lazy("Enrollment")
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("What to change"),
        choices=ChangeRequest.Kind.choices,
        widget=forms.RadioSelect,
        initial=ChangeRequest.Kind.RATE_CHANGE,
    )
    commission_rate = PercentField(label=gettext_lazy("New commission (%)"), required=False)
    service_fee_rate = PercentField(
        label=gettext_lazy("New service fee (%)"),
        required=False,
        help_text=gettext_lazy("Leave empty to keep the current service fee."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the service provider"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, enrollments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = enrollments
        self.fields["enrollment"].label_from_instance = lambda enrollment: (
            f"{enrollment.product.title} · {enrollment.campaign.name} · "
            f"{rate_label(*rates_of(enrollment))}"
        )

    def clean(self):
        data = super().clean()
        wants_rate = data.get("kind") == ChangeRequest.Kind.RATE_CHANGE
        if wants_rate and data.get("commission_rate") is None and "commission_rate" in data:
            self.add_error("commission_rate", _("Give the new commission rate."))
        return data

    def fraction(self, name: str) -> Decimal | None:
        """The rate typed in percent (PercentField has already made it a rate)."""
        return self.cleaned_data.get(name)

    def add_domain_error(self, error: DomainError) -> None:
        errors = error.detail if isinstance(error.detail, dict) else {error.field: [error.message]}
        for field, field_messages in errors.items():
            for message in field_messages:
                self.add_error(field if field in self.fields else None, message)


class ChangeRequestListView(MemberRequiredMixin, View):
    """Merchants see their requests; providers see the queue waiting on their campaigns."""

    allowed_roles = (Role.MERCHANT, Role.PROVIDER)

    def get(self, request):
        organisation = request.user.organisation
        if request.user.role == Role.PROVIDER:
            return self.provider_queue(request, organisation)
        page = Paginator(change_requests_for(organisation=organisation), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context = {
            "page": page,
            "rows": [row_for(change_request) for change_request in page],
            "enrollments": [
                {"enrollment": enrollment, "rate": rate_label(*rates_of(enrollment))}
                for enrollment in changeable_enrollments(organisation=organisation)[:PAGE_SIZE]
            ],
        }
        return render(request, "matchmaking/change_requests/merchant_list.html", context)

    def provider_queue(self, request, organisation):
        now = timezone.now()
        queue = pending_change_requests_for_provider(organisation=organisation)[:200]
        decided = change_requests_for(organisation=organisation).exclude(
            status=ChangeRequest.Status.PENDING
        )
        context = {
            "rows": [row_for(change_request, now=now) for change_request in queue],
            "decided": [row_for(change_request) for change_request in decided[:RECENTLY_DECIDED]],
            "can_decide": organisation.is_active,
        }
        return render(request, "matchmaking/change_requests/provider_queue.html", context)


class ChangeRequestCreateView(MemberRequiredMixin, View):
    """A merchant asks for a rate change or a cancellation of an approved enrollment."""

    allowed_roles = (Role.MERCHANT,)
    template_name = "matchmaking/change_requests/form.html"

    def get(self, request):
        enrollments = changeable_enrollments(organisation=request.user.organisation)
        form = ChangeRequestForm(
            enrollments=enrollments, initial={"enrollment": request.GET.get("enrollment")}
        )
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        enrollments = changeable_enrollments(organisation=request.user.organisation)
        form = ChangeRequestForm(request.POST, enrollments=enrollments)
        if form.is_valid():
            try:
                request_change(
                    enrollment_id=form.cleaned_data["enrollment"].pk,
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    commission_rate=form.fraction("commission_rate"),
                    service_fee_rate=form.fraction("service_fee_rate"),
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(
                    request, _("Your request is sent. The service provider has 7 days to decide.")
                )
                return redirect("change-requests")
        return render(request, self.template_name, {"form": form})


class ChangeRequestDecisionView(MemberRequiredMixin, View):
    """The campaign's provider accepts or rejects; htmx swaps the queue row in place."""

    allowed_roles = (Role.PROVIDER,)
    decision = "accept"

    def post(self, request, pk: int):
        visible = change_requests_for(organisation=request.user.organisation)
        change_request = get_object_or_404(visible, pk=pk)
        error = done = None
        try:
            done = self.decide(request, change_request)
        except DomainError as domain_error:
            error = domain_error.message
        if not is_htmx(request):
            level = messages.ERROR if error else messages.SUCCESS
            messages.add_message(request, level, error or done)
            return redirect("change-requests")
        context = {"row": row_for(visible.get(pk=pk)), "error": error, "done": done}
        context["can_decide"] = True
        return render(request, "matchmaking/change_requests/partials/queue_row.html", context)

    def decide(self, request, change_request: ChangeRequest) -> str:
        if self.decision == "accept":
            accept_change_request(change_request_id=change_request.pk, by=request.user)
            return _("The change request is accepted.")
        reject_change_request(
            change_request_id=change_request.pk,
            by=request.user,
            reason=request.POST.get("reason", ""),
        )
        return _("The change request is rejected.")


class EnrollmentRateHistoryView(MemberRequiredMixin, View):
    """An enrollment's rates over time, with when each reaches buyers already promoting."""

    allowed_roles = (Role.MERCHANT, Role.PROVIDER)

    def get(self, request, pk: int):
        organisation = request.user.organisation
        enrollment = get_object_or_404(visible_enrollments(organisation=organisation), pk=pk)
        rates = enrollment_rates_for(organisation=organisation, enrollment_id=enrollment.pk)
        now = timezone.now()
        rows = [
            {
                "rate": rate,
                "commission": percent(rate.commission_rate),
                "service_fee": percent(rate.service_fee_rate),
                "still_delayed": rate.effective_for_existing_at > now,
            }
            for rate in rates[:200]
        ]
        context = {
            "enrollment": enrollment,
            "current": rate_label(*rates_of(enrollment)),
            "rows": rows,
            "is_merchant": enrollment.product.merchant_id == organisation.pk,
        }
        return render(request, "matchmaking/change_requests/rate_history.html", context)


urlpatterns = [
    path("change-requests/", ChangeRequestListView.as_view(), name="change-requests"),
    path("change-requests/new/", ChangeRequestCreateView.as_view(), name="change-request-new"),
    path(
        "change-requests/<int:pk>/accept/",
        ChangeRequestDecisionView.as_view(decision="accept"),
        name="change-request-accept",
    ),
    path(
        "change-requests/<int:pk>/reject/",
        ChangeRequestDecisionView.as_view(decision="reject"),
        name="change-request-reject",
    ),
    path(
        "enrollments/<int:pk>/rates/",
        EnrollmentRateHistoryView.as_view(),
        name="enrollment-rate-history",
    ),
]
