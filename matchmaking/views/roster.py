"""Portal pages of the roster: providers invite and end, buyers accept and end."""

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
from core.fields import MAX_ID
from core.htmx import is_htmx
from matchmaking.models import RosterMembership
from matchmaking.selectors import roster as selectors
from matchmaking.services import roster as services

app_name = "roster"

SUGGESTIONS = 10


class InviteForm(forms.Form):
    buyer = forms.IntegerField(
        label=gettext_lazy("Buyer"), min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )


class RosterView(MemberRequiredMixin, View):
    """Provider: invite buyers found by name, see the roster. Buyer: the providers' invitations."""

    allowed_roles = (Role.PROVIDER, Role.BUYER)

    def context(self, form: InviteForm | None = None) -> dict:
        organisation = self.request.user.organisation
        status = self.request.GET.get("status", "")
        if status not in RosterMembership.Status.values:
            status = ""
        return {
            "organisation": organisation,
            "memberships": selectors.roster_for(organisation=organisation, status=status)[:200],
            "status": status,
            "statuses": RosterMembership.Status.choices,
            "form": form or InviteForm(),
            "search": self.request.GET.get("q", ""),
        }

    def get(self, request):
        context = self.context()
        if request.user.role == Role.BUYER:
            return render(request, "matchmaking/roster/buyer.html", context)
        if context["search"]:
            context.update(suggestion_context(request, context["search"]))
        return render(request, "matchmaking/roster/provider.html", context)

    def post(self, request):
        if request.user.role != Role.PROVIDER:
            return redirect("roster:index")
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                membership = services.invite_buyer(
                    by=request.user, buyer_id=form.cleaned_data["buyer"]
                )
                messages.success(request, _("%s is invited.") % membership.buyer.name)
                form = InviteForm()
            except DomainError as error:
                form.add_error("buyer", error.message)
        if not is_htmx(request) and not form.errors:
            return redirect("roster:index")
        if is_htmx(request):
            context = {**self.context(form), "htmx": True}
            return render(request, "matchmaking/roster/partials/roster.html", context)
        return render(request, "matchmaking/roster/provider.html", self.context(form))


def suggestion_context(request, search: str) -> dict:
    provider = request.user.organisation
    return {
        "suggestions": selectors.buyer_directory(search=search)[:SUGGESTIONS],
        "live_buyer_ids": selectors.live_buyer_ids(provider=provider),
        "search": search,
    }


class BuyerSuggestionsView(MemberRequiredMixin, View):
    """htmx: buyers whose name matches what the provider typed, each with an invite button."""

    allowed_roles = (Role.PROVIDER,)

    def get(self, request):
        search = request.GET.get("q", "").strip()
        context = suggestion_context(request, search) if search else {"search": ""}
        context["organisation"] = request.user.organisation
        return render(request, "matchmaking/roster/partials/suggestions.html", context)


class MembershipActionView(MemberRequiredMixin, View):
    allowed_roles = (Role.PROVIDER, Role.BUYER)
    service = None
    done_message = ""

    def post(self, request, pk: int):
        membership = get_object_or_404(
            selectors.roster_for(organisation=request.user.organisation), pk=pk
        )
        try:
            self.service(membership_id=membership.pk, by=request.user)
            messages.success(request, self.done_message % self.other_side(membership))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("roster:index")

    def other_side(self, membership: RosterMembership) -> str:
        if membership.provider_id == self.request.user.organisation_id:
            return membership.buyer.name
        return membership.provider.name


class AcceptView(MembershipActionView):
    allowed_roles = (Role.BUYER,)
    service = staticmethod(services.accept_membership)
    done_message = gettext_lazy("You are now on %s's roster.")


class EndView(MembershipActionView):
    service = staticmethod(services.end_membership)
    done_message = gettext_lazy("The membership with %s has ended.")


urlpatterns = [
    path("roster/", RosterView.as_view(), name="index"),
    path("roster/suggestions/", BuyerSuggestionsView.as_view(), name="suggestions"),
    path("roster/<int:pk>/accept/", AcceptView.as_view(), name="accept"),
    path("roster/<int:pk>/end/", EndView.as_view(), name="end"),
]
