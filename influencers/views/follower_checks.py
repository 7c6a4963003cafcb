"""Portal page of a service provider: its roster buyers' follower counts, claimed and verified."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from core.errors import DomainError
from influencers.forms import VerifyFollowersForm
from influencers.selectors.follower_checks import roster_follower_facts, verifiable_buyers
from influencers.services.follower_checks import verify_followers


class RosterFollowersView(MemberRequiredMixin, View):
    """Each active roster buyer with its claim and verified figure, and a form to verify."""

    allowed_roles = (Role.PROVIDER,)

    def render_page(self, form: VerifyFollowersForm | None = None):
        posted_for = form.data.get("buyer", "") if form is not None else ""
        rows = [
            (buyer, facts, form if posted_for == str(buyer.pk) else None)
            for buyer, facts in roster_follower_facts(provider=self.request.user.organisation)
        ]
        context = {
            "organisation": self.request.user.organisation,
            "rows": rows,
            # errors of a form that belongs to no row (a tampered buyer id) show above the table
            "loose_form": form
            if form is not None and all(row[2] is None for row in rows)
            else None,
        }
        return render(self.request, "influencers/roster_followers.html", context)

    def get(self, request):
        return self.render_page()

    def post(self, request):
        form = VerifyFollowersForm(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        data = form.cleaned_data
        # A buyer off this provider's active roster is not found, as everywhere else.
        if not verifiable_buyers(user=request.user).filter(pk=data["buyer"]).exists():
            raise Http404
        try:
            verification = verify_followers(
                by=request.user,
                buyer_id=data["buyer"],
                followers=data["followers"],
                note=data["note"],
                evidence_url=data["evidence_url"],
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
            return self.render_page(form)
        messages.success(
            request,
            _("%(buyer)s: %(followers)s followers verified.")
            % {
                "buyer": verification.buyer.name,
                "followers": number_format(verification.followers, force_grouping=True),
            },
        )
        return redirect("roster-followers")


urlpatterns = [
    path("roster/followers/", RosterFollowersView.as_view(), name="roster-followers"),
]
