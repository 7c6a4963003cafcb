"""The livestream page's "Build lineup" form: fill a draft's lineup by the builder's rules."""

from decimal import Decimal

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
from influencers.api.lineup_building import explanations
from influencers.lineup_builder import MAX_SLOTS
from influencers.models import LineupSlot
from influencers.selectors.livestreams import lineup_warnings, livestreams_of
from influencers.services.lineup_building import build_livestream_lineup
from merchants.models import Category

PERCENT = {"min_value": 0, "max_value": 100, "required": False}


class BuildLineupForm(forms.Form):
    """N slots, a share of new items and one optional category share, in percent."""

    slots = forms.IntegerField(label=gettext_lazy("Slots"), min_value=1, max_value=MAX_SLOTS)
    new_share = forms.IntegerField(label=gettext_lazy("New to me, at least %"), **PERCENT)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
    )
    min_share = forms.IntegerField(label=gettext_lazy("at least %"), **PERCENT)
    max_share = forms.IntegerField(label=gettext_lazy("at most %"), **PERCENT)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        mix = {}
        if data["category"] is not None:
            low, high = (
                data["min_share"] or 0,
                100 if data["max_share"] is None else data["max_share"],
            )
            mix[data["category"].slug] = (Decimal(low) / 100, Decimal(high) / 100)
        new_share = Decimal(data["new_share"] or 0) / 100
        return {"slots": data["slots"], "category_mix": mix, "new_share": new_share}


class BuildLineupView(MemberRequiredMixin, View):
    """Shows the livestream page again with each pick's reasons and the unmet rules."""

    allowed_roles = (Role.BUYER,)

    def post(self, request, pk: int):
        livestream = get_object_or_404(livestreams_of(buyer=request.user.organisation), pk=pk)
        form = BuildLineupForm(request.POST)
        if not form.is_valid():
            text = _("Give 1 to %d slots, a known category slug and shares from 0 to 100.")
            messages.error(request, text % MAX_SLOTS)
            return redirect("livestream", pk=pk)
        try:
            _built, plan = build_livestream_lineup(
                by=request.user, livestream_id=livestream.pk, **form.service_arguments()
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("livestream", pk=pk)
        livestream = livestreams_of(buyer=request.user.organisation).get(pk=pk)
        messages.success(request, _("The lineup now has %d slot(s).") % len(plan.slots))
        context = {
            "livestream": livestream,
            "warnings": lineup_warnings(livestream),
            "roles": LineupSlot.Role.choices,
            "build_form": form,
            "built": explanations(plan),
        }
        return render(request, "influencers/livestream.html", context)


urlpatterns = [
    path("livestreams/<int:pk>/lineup/build/", BuildLineupView.as_view(), name="lineup-build"),
]
