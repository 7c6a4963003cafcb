from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts import selectors, services
from accounts.forms import InvitationForm
from accounts.models import MEMBERS
from accounts.permissions import MemberRequiredMixin, OperatorRequiredMixin
from core.errors import DomainError
from core.htmx import is_htmx


class OrganisationView(MemberRequiredMixin, View):
    """The caller's organisation: its members and the invitations it sent."""

    allowed_roles = MEMBERS

    def context(self, form=None) -> dict:
        organisation = self.request.user.organisation
        return {
            "organisation": organisation,
            "members": selectors.members_of(organisation=organisation),
            "invitations": selectors.invitations_of(organisation=organisation)[:50],
            "form": form or InvitationForm(),
        }

    def get(self, request):
        return render(request, "accounts/organisation.html", self.context())

    def post(self, request):
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                services.invite_member(by=request.user, email=form.cleaned_data["email"])
                # The same words whether or not the address has an account (see invite_member).
                messages.success(
                    request,
                    _("We sent a message to %(email)s if this address can join.")
                    % {"email": form.cleaned_data["email"]},
                )
                form = InvitationForm()
            except DomainError as error:
                form.add_error(error.field, error.message)
        template = (
            "accounts/partials/invitations.html"
            if is_htmx(request)
            else "accounts/organisation.html"
        )
        return render(request, template, self.context(form))


class RevokeInvitationView(MemberRequiredMixin, View):
    allowed_roles = MEMBERS

    def post(self, request, pk: int):
        invitation = get_object_or_404(
            selectors.invitations_of(organisation=request.user.organisation), pk=pk
        )
        try:
            services.revoke_invitation(invitation_id=invitation.pk, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("organisation")


class ProviderReviewView(OperatorRequiredMixin, View):
    """Operators approve pending service providers."""

    def get(self, request):
        return render(
            request,
            "accounts/provider_review.html",
            {"providers": selectors.providers_for_review(status=request.GET.get("status"))[:200]},
        )

    def post(self, request):
        organisation = get_object_or_404(
            selectors.providers_for_review(), pk=request.POST.get("organisation")
        )
        try:
            services.approve_provider(organisation_id=organisation.pk, by=request.user)
            messages.success(request, _("%s is approved.") % organisation.name)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("operator-providers")
