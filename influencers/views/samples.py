from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from core.csv_upload import UPLOAD_FIELD, CsvRejected, RowError, read_uploaded_file
from core.errors import DomainError
from core.fields import parse_id
from core.htmx import is_htmx
from core.paging import query_without_page
from influencers.models import SampleRequest
from influencers.selectors.follower_checks import follower_facts, profile_of_organisation
from influencers.selectors.profiles import fulfilment_counts
from influencers.selectors.samples import samples_for
from influencers.services import samples as service
from influencers.services.sample_deadlines import bulk_approve_sample_requests
from influencers.services.sample_shipments import ship_samples_from_csv

MEMBERS = (Role.MERCHANT, Role.BUYER, Role.PROVIDER)
ACTIONS = {
    "approve": service.approve_sample_request,
    "reject": service.reject_sample_request,
    "ship": service.ship_sample_request,
    "receive": service.receive_sample_request,
    "fulfil": service.fulfil_sample_request,
    "withdraw": service.withdraw_sample_request,
    "extend": service.extend_sample_request,
}


class SampleListView(MemberRequiredMixin, View):
    """Buyers: my samples. Merchants: the queue with bulk approve and shipping. Providers: watch."""

    allowed_roles = MEMBERS

    def get(self, request):
        samples = samples_for(organisation=request.user.organisation)
        status = request.GET.get("status")
        if status:
            samples = samples.filter(status=status)
        page = Paginator(samples, 50).get_page(request.GET.get("page"))
        rates = fulfilment_counts(buyer_ids=list({sample.buyer_id for sample in page}))
        for sample in page:
            sample.buyer_rate = rates.get(sample.buyer_id, {}).get("rate")
            sample.follower_facts = follower_facts(profile=profile_of_organisation(sample.buyer))
        return render(request, "influencers/samples.html", {
            "page": page, "statuses": SampleRequest.Status.choices, "status": status,
            "query": query_without_page(request),
        })  # fmt: skip

    def post(self, request):
        """Bulk approve the ticked requests."""
        ids = [i for i in map(parse_id, request.POST.getlist("ids")) if i is not None]
        outcome = bulk_approve_sample_requests(request_ids=ids, by=request.user)
        if outcome.done:
            messages.success(request, _("Approved %d sample request(s).") % len(outcome.done))
        for pk, reason in outcome.refused.items():
            messages.error(request, _("Request %(id)s: %(reason)s") % {"id": pk, "reason": reason})
        return redirect("samples")


class SampleCreateView(MemberRequiredMixin, View):
    allowed_roles = (Role.BUYER,)

    def post(self, request):
        enrollment = request.POST.get("enrollment", "")
        try:
            service.request_sample(by=request.user, enrollment_id=int(enrollment or 0))
            text, ok = _("Sample requested."), True
        except DomainError as error:
            text, ok = error.message, False
        if is_htmx(request):
            return render(request, "influencers/partials/flash.html", {"text": text, "ok": ok})
        (messages.success if ok else messages.error)(request, text)
        return redirect("samples")


class SampleActionView(MemberRequiredMixin, View):
    allowed_roles = MEMBERS

    def post(self, request, pk: int, action: str):
        sample = get_object_or_404(samples_for(organisation=request.user.organisation), pk=pk)
        if action not in ACTIONS:
            return redirect("samples")
        extra = {}
        if action == "ship":
            extra = {
                "carrier": request.POST.get("carrier", ""),
                "tracking_number": request.POST.get("tracking_number", ""),
            }
        if action == "reject":
            extra = {"reason": request.POST.get("reason", "")}
        try:
            ACTIONS[action](request_id=sample.pk, by=request.user, **extra)
            messages.success(request, _("Done."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(request.POST.get("next") or "samples")


class ShipImportView(MemberRequiredMixin, View):
    """Merchants upload a CSV of tracking numbers; a bad file lists every bad row."""

    allowed_roles = (Role.MERCHANT,)

    def post(self, request):
        upload = request.FILES.get(UPLOAD_FIELD)
        try:
            if upload is None:
                raise DomainError(_("Choose a CSV file."), field=UPLOAD_FIELD)
            shipped = ship_samples_from_csv(by=request.user, content=read_uploaded_file(upload))
        except CsvRejected as rejected:
            return self.refused(rejected.errors)
        except DomainError as error:
            if error.field == UPLOAD_FIELD:  # the file itself: its name, type, size or content
                return self.refused([RowError(None, UPLOAD_FIELD, error.message)])
            messages.error(request, error.message)
        else:
            messages.success(request, _("Shipped %d sample(s).") % len(shipped))
        return redirect("samples")

    def refused(self, errors: list[RowError]):
        context = {"errors": errors}
        return render(self.request, "influencers/ship_errors.html", context, status=400)


urlpatterns = [
    path("samples/ship-import/", ShipImportView.as_view(), name="sample-ship-import"),
    path("samples/", SampleListView.as_view(), name="samples"),
    path("samples/request/", SampleCreateView.as_view(), name="sample-request-create"),
    path("samples/<int:pk>/<str:action>/", SampleActionView.as_view(), name="sample-action"),
]
