"""Portal pages of enrollments: merchants enroll and withdraw; providers review and re-offer."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from core.errors import DomainError
from core.fields import parse_id
from core.htmx import is_htmx
from matchmaking.models import Enrollment
from matchmaking.rates import percent, second_level_cap
from matchmaking.selectors.enrollments import enrollments_for, merchant_enrollments, review_queue
from matchmaking.services import enrollments as services
from matchmaking.services.second_level import reoffer_enrollment
from matchmaking.views.campaign_forms import add_domain_error
from matchmaking.views.campaigns import PAGE_ROWS
from matchmaking.views.enrollment_forms import EnrollForm, RejectForm, ReofferForm


class MerchantEnrollmentListView(MemberRequiredMixin, View):
    """ "My enrollments": every enrollment of the merchant's products, newest first."""

    allowed_roles = (Role.MERCHANT,)

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = merchant_enrollments(merchant=request.user.organisation)[:PAGE_ROWS]
        context = {"enrollments": rows}
        return render(request, "matchmaking/enrollments/list.html", context)


class EnrollView(MemberRequiredMixin, View):
    allowed_roles = (Role.MERCHANT,)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = EnrollForm(merchant=request.user.organisation, initial=self.initial())
        return self.show(form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EnrollForm(request.POST, merchant=request.user.organisation)
        if form.is_valid():
            try:
                services.enroll_product(
                    by=request.user,
                    campaign_id=form.cleaned_data["campaign"].pk,
                    product_id=form.cleaned_data["product"].pk,
                    terms=form.terms(),
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Enrolled. The provider will review it."))
                return redirect("enrollments")
        return self.show(form)

    def initial(self) -> dict:
        """Pre-selects the campaign from ``?campaign=`` with its minimum rates."""
        form = EnrollForm(merchant=self.request.user.organisation)
        campaign_id = parse_id(self.request.GET.get("campaign"))
        campaign = form.fields["campaign"].queryset.filter(pk=campaign_id or 0).first()
        if campaign is None:
            return {}
        return {
            "campaign": campaign,
            "commission_rate": campaign.min_commission_rate,
            "service_fee_rate": campaign.service_fee_rate,
        }

    def show(self, form: EnrollForm) -> HttpResponse:
        return render(self.request, "matchmaking/enrollments/form.html", {"form": form})


class ProviderMixin(MemberRequiredMixin):
    allowed_roles = (Role.PROVIDER,)


def render_queue(request: HttpRequest, *, partial: bool) -> HttpResponse:
    rows = review_queue(provider=request.user.organisation)[:PAGE_ROWS]
    context = {
        "enrollments": rows,
        "reject_form": RejectForm(),
        "partial": partial,
    }
    template = (
        "matchmaking/enrollments/partials/review_queue.html"
        if partial
        else "matchmaking/enrollments/review.html"
    )
    return render(request, template, context)


class ReviewQueueView(ProviderMixin, View):
    """Pending enrollments across the provider's campaigns, with bulk approve."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render_queue(request, partial=is_htmx(request))


class BulkApproveView(ProviderMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [i for i in map(parse_id, request.POST.getlist("ids")) if i is not None]
        if not ids:
            messages.error(request, _("Tick the enrollments to approve first."))
        else:
            outcome = services.bulk_approve(ids=ids, by=request.user)
            approved = len(outcome.done)
            messages.success(
                request,
                ngettext("%d enrollment approved.", "%d enrollments approved.", approved)
                % approved,
            )
            for pk, error in outcome.refused.items():
                messages.error(request, _("#%(id)s: %(error)s") % {"id": pk, "error": error})
        if is_htmx(request):
            return render_queue(request, partial=True)
        return redirect("enrollment-review")


class EnrollmentActionView(MemberRequiredMixin, View):
    """POST one action on a visible enrollment; htmx from the queue gets the queue back."""

    allowed_roles = (Role.PROVIDER, Role.MERCHANT)
    default_next = "enrollment-review"

    def act(self, request: HttpRequest, enrollment: Enrollment) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        enrollment = get_object_or_404(
            enrollments_for(organisation=request.user.organisation), pk=pk
        )
        try:
            messages.success(request, self.act(request, enrollment))
        except DomainError as error:
            messages.error(request, error.message)
        if is_htmx(request) and request.user.role == Role.PROVIDER:
            return render_queue(request, partial=True)
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect(self.default_next)


class ApproveView(EnrollmentActionView):
    def act(self, request: HttpRequest, enrollment: Enrollment) -> str:
        services.approve_enrollment(enrollment_id=enrollment.pk, by=request.user)
        return _("%s approved.") % enrollment.product.sku


class RejectView(EnrollmentActionView):
    def act(self, request: HttpRequest, enrollment: Enrollment) -> str:
        form = RejectForm(request.POST)
        form.is_valid()
        services.reject_enrollment(
            enrollment_id=enrollment.pk,
            by=request.user,
            reason=form.cleaned_data.get("reason", ""),
            reason_text=form.cleaned_data.get("reason_text", ""),
        )
        return _("%s rejected.") % enrollment.product.sku


class TerminateView(EnrollmentActionView):
    def act(self, request: HttpRequest, enrollment: Enrollment) -> str:
        services.terminate_enrollment(
            enrollment_id=enrollment.pk,
            by=request.user,
            reason_text=request.POST.get("reason_text", "")[:500],
        )
        return _("%s terminated.") % enrollment.product.sku


class WithdrawView(EnrollmentActionView):
    default_next = "enrollments"

    def act(self, request: HttpRequest, enrollment: Enrollment) -> str:
        services.withdraw_enrollment(enrollment_id=enrollment.pk, by=request.user)
        return _("%s withdrawn.") % enrollment.product.sku


class ReofferView(ProviderMixin, View):
    """The first-level provider offers an approved enrollment through another's campaign."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        first = self.get_first(pk)
        form = ReofferForm(
            provider=request.user.organisation,
            initial={
                "promotion_stock": first.promotion_stock,
                "service_fee_rate": second_level_cap(first),
            },
        )
        return self.show(first, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        first = self.get_first(pk)
        form = ReofferForm(request.POST, provider=request.user.organisation)
        if form.is_valid():
            try:
                reoffer_enrollment(
                    enrollment_id=first.pk,
                    by=request.user,
                    campaign_id=form.cleaned_data["campaign"].pk,
                    service_fee_rate=form.cleaned_data["service_fee_rate"],
                    promotion_stock=form.cleaned_data["promotion_stock"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Re-offered. The other provider will review it."))
                return redirect("campaign-detail", pk=first.campaign_id)
        return self.show(first, form)

    def get_first(self, pk: int) -> Enrollment:
        return get_object_or_404(
            enrollments_for(organisation=self.request.user.organisation), pk=pk
        )

    def show(self, first: Enrollment, form: ReofferForm) -> HttpResponse:
        context = {
            "first": first,
            "form": form,
            "cap": percent(second_level_cap(first)),
            "back": reverse("campaign-detail", args=[first.campaign_id]),
        }
        return render(self.request, "matchmaking/enrollments/reoffer.html", context)


urlpatterns = [
    path("enrollments/", MerchantEnrollmentListView.as_view(), name="enrollments"),
    path("enrollments/new/", EnrollView.as_view(), name="enrollment-create"),
    path("enrollments/review/", ReviewQueueView.as_view(), name="enrollment-review"),
    path(
        "enrollments/review/bulk-approve/",
        BulkApproveView.as_view(),
        name="enrollment-bulk-approve",
    ),
    path("enrollments/<int:pk>/approve/", ApproveView.as_view(), name="enrollment-approve"),
    path("enrollments/<int:pk>/reject/", RejectView.as_view(), name="enrollment-reject"),
    path("enrollments/<int:pk>/terminate/", TerminateView.as_view(), name="enrollment-terminate"),
    path("enrollments/<int:pk>/withdraw/", WithdrawView.as_view(), name="enrollment-withdraw"),
    path("enrollments/<int:pk>/reoffer/", ReofferView.as_view(), name="enrollment-reoffer"),
]
