from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from core.errors import DomainError
from influencers.forms import BuyerProfileForm
from influencers.selectors.follower_checks import follower_facts
from influencers.selectors.profiles import fulfilment_rate, profile_of, roster_providers
from influencers.services.profiles import update_profile


class ProfileView(MemberRequiredMixin, View):
    allowed_roles = (Role.BUYER,)

    def render_page(self, form):
        buyer = self.request.user.organisation
        context = {
            "form": form,
            "follower_facts": follower_facts(profile=profile_of(buyer=buyer)),
            "fulfilment_rate": fulfilment_rate(buyer=buyer),
            "providers": roster_providers(buyer=buyer),
        }
        return render(self.request, "influencers/profile.html", context)

    def get(self, request):
        return self.render_page(
            BuyerProfileForm(instance=profile_of(buyer=request.user.organisation))
        )

    def post(self, request):
        profile = profile_of(buyer=request.user.organisation)
        form = BuyerProfileForm(request.POST, instance=profile)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                update_profile(by=request.user, categories=list(data.pop("categories")), **data)
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("buyer-profile")
        return self.render_page(form)


urlpatterns = [path("profile/", ProfileView.as_view(), name="buyer-profile")]
