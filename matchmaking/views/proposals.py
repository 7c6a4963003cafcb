"""Portal pages of match proposals: providers propose and follow up, buyers answer (htmx)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from core.errors import DomainError
from core.htmx import is_htmx
from matchmaking.models import MatchProposal
from matchmaking.selectors import proposals as selectors
from matchmaking.selectors.roster import active_roster_buyers
from matchmaking.services import proposals as services

app_name = "proposals"

LIST_LIMIT = 200
OPTIONS_LIMIT = 200


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class EnrollmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.product.title} · {obj.campaign.name} · {obj.campaign_price:.2f}"


class ProposeForm(forms.Form):
    buyer = NamedChoiceField(label=gettext_lazy("Buyer"), queryset=None)
    enrollments = EnrollmentChoiceField(
        label=gettext_lazy("Items"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the buyer"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = active_roster_buyers(provider=provider)
        enrollments = selectors.proposable_enrollments(provider=provider)
        first = enrollments.values("pk")[:OPTIONS_LIMIT]
        self.fields["enrollments"].queryset = enrollments.filter(pk__in=first)


class ProposalsView(MemberRequiredMixin, View):
    """Provider: propose and follow up with the acceptance rate. Buyer: answer proposals."""

    allowed_roles = (Role.PROVIDER, Role.BUYER)

    def context(self, form: ProposeForm | None = None) -> dict:
        organisation = self.request.user.organisation
        status = self.request.GET.get("status", "")
        if status not in MatchProposal.Status.values:
            status = ""
        context = {
            "proposals": selectors.proposals_for(organisation=organisation, status=status)[
                :LIST_LIMIT
            ],
            "status": status,
            "statuses": MatchProposal.Status.choices,
        }
        if self.request.user.role == Role.PROVIDER:
            context["form"] = form or ProposeForm(provider=organisation)
            context["stats"] = selectors.provider_stats(provider=organisation)
        else:
            context["stats_rows"] = selectors.acceptance_stats(organisation=organisation)
        return context

    def template(self) -> str:
        role = "provider" if self.request.user.role == Role.PROVIDER else "buyer"
        return f"matchmaking/proposals/{role}.html"

    def get(self, request):
        return render(request, self.template(), self.context())

    def post(self, request):
        if request.user.role != Role.PROVIDER:
            return redirect("proposals:index")
        form = ProposeForm(request.POST, provider=request.user.organisation)
        if form.is_valid():
            try:
                result = services.propose_enrollments(
                    by=request.user,
                    buyer_id=form.cleaned_data["buyer"].pk,
                    enrollment_ids=[e.pk for e in form.cleaned_data["enrollments"]],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                report(request, result)
                return redirect("proposals:index")
        return render(request, self.template(), self.context(form))


def report(request, result: services.ProposeResult) -> None:
    if result.created:
        messages.success(request, _("%d item(s) proposed.") % len(result.created))
    if result.skipped:
        text = _("%d item(s) skipped: an open proposal already exists.") % len(result.skipped)
        messages.warning(request, text)


class ProposalActionView(MemberRequiredMixin, View):
    """accept / decline (buyer) and withdraw (provider); htmx swaps the row in place."""

    allowed_roles = (Role.PROVIDER, Role.BUYER)
    service = None
    done_message = ""

    def post(self, request, pk: int):
        visible = selectors.proposals_for(organisation=request.user.organisation)
        proposal = get_object_or_404(visible, pk=pk)
        try:
            self.service(proposal_id=proposal.pk, by=request.user)
            level, text = messages.SUCCESS, self.done_message % proposal.enrollment.product.title
        except DomainError as error:
            level, text = messages.ERROR, error.message
        if is_htmx(request):
            context = {
                "proposal": visible.get(pk=pk),
                "notice": text,
                "failed": level == messages.ERROR,
            }
            return render(request, "matchmaking/proposals/partials/row.html", context)
        messages.add_message(request, level, text)
        return redirect("proposals:index")


class AcceptView(ProposalActionView):
    allowed_roles = (Role.BUYER,)
    service = staticmethod(services.accept_proposal)
    done_message = gettext_lazy("%s is in your shared assortment now.")


class DeclineView(ProposalActionView):
    allowed_roles = (Role.BUYER,)
    service = staticmethod(services.decline_proposal)
    done_message = gettext_lazy("You declined %s.")


class WithdrawView(ProposalActionView):
    allowed_roles = (Role.PROVIDER,)
    service = staticmethod(services.withdraw_proposal)
    done_message = gettext_lazy("You withdrew %s.")


urlpatterns = [
    path("proposals/", ProposalsView.as_view(), name="index"),
    path("proposals/<int:pk>/accept/", AcceptView.as_view(), name="accept"),
    path("proposals/<int:pk>/decline/", DeclineView.as_view(), name="decline"),
    path("proposals/<int:pk>/withdraw/", WithdrawView.as_view(), name="withdraw"),
]
