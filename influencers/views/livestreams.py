from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from core.errors import DomainError
from core.fields import parse_id
from core.htmx import is_htmx
from influencers.forms import LivestreamForm, SlotForm
from influencers.models import LineupSlot
from influencers.selectors.livestreams import lineup_warnings, livestreams_of
from influencers.services import livestreams as service


class BuyerView(MemberRequiredMixin, View):
    allowed_roles = (Role.BUYER,)

    def livestream(self, pk: int):
        return get_object_or_404(livestreams_of(buyer=self.request.user.organisation), pk=pk)

    def attempt(self, function, **kwargs):
        try:
            return function(by=self.request.user, **kwargs)
        except DomainError as error:
            messages.error(self.request, error.message)
        except LineupSlot.DoesNotExist as exc:
            raise Http404 from exc
        return None


class LivestreamListView(BuyerView):
    def get(self, request, form=None):
        return render(request, "influencers/livestreams.html", {
            "livestreams": livestreams_of(buyer=request.user.organisation)[:200],
            "form": form or LivestreamForm(),
        })  # fmt: skip

    def post(self, request):
        form = LivestreamForm(request.POST)
        if not form.is_valid():
            return self.get(request, form)
        created = self.attempt(service.create_livestream, **form.cleaned_data)
        return redirect("livestream", pk=created.pk) if created else redirect("livestreams")


class LivestreamDetailView(BuyerView):
    def get(self, request, pk: int):
        livestream = self.livestream(pk)
        context = {
            "livestream": livestream,
            "warnings": lineup_warnings(livestream),
            "roles": LineupSlot.Role.choices,
        }
        template = (
            "influencers/partials/lineup.html"
            if is_htmx(request)
            else "influencers/livestream.html"
        )
        return render(request, template, context)


class LivestreamMoveView(BuyerView):
    def post(self, request, pk: int, action: str):
        livestream = self.livestream(pk)
        if action in service.TRANSITIONS:
            self.attempt(service.move_livestream, livestream_id=livestream.pk, action=action)
        return redirect("livestream", pk=livestream.pk)


class LivestreamCopyView(BuyerView):
    def post(self, request, pk: int):
        livestream = self.livestream(pk)
        form = LivestreamForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the new livestream a title and a time."))
            return redirect("livestream", pk=livestream.pk)
        result = self.attempt(
            service.copy_livestream, livestream_id=livestream.pk, **form.cleaned_data
        )
        if result is None:
            return redirect("livestream", pk=livestream.pk)
        copy, skipped = result
        if skipped:
            text = _("%d item(s) were left out: no longer promotable.") % len(skipped)
            messages.warning(request, text)
        return redirect("livestream", pk=copy.pk)


class LineupAddView(BuyerView):
    def post(self, request):
        livestream = self.livestream(int(request.POST.get("livestream") or 0))
        enrollment = int(request.POST.get("enrollment") or 0)
        if self.attempt(
            service.add_slot, livestream_id=livestream.pk, plan=service.SlotPlan(enrollment)
        ):
            messages.success(request, _("Added to %s.") % livestream.title)
        return redirect(request.POST.get("next") or "livestream", pk=livestream.pk)


class SlotView(BuyerView):
    def post(self, request, pk: int, slot_id: int):
        livestream = self.livestream(pk)
        if request.POST.get("remove"):
            self.attempt(service.remove_slot, slot_id=slot_id)
        else:
            form = SlotForm(request.POST)
            if form.is_valid():
                self.attempt(service.change_slot, slot_id=slot_id, **form.cleaned_data)
            else:
                messages.error(request, _("Minutes and target units are whole numbers."))
        return (
            LivestreamDetailView.as_view()(request, pk=livestream.pk)
            if is_htmx(request)
            else redirect("livestream", pk=pk)
        )


class LineupReorderView(BuyerView):
    def post(self, request, pk: int):
        livestream = self.livestream(pk)
        slot_ids = [i for i in map(parse_id, request.POST.getlist("slot")) if i is not None]
        self.attempt(service.reorder_lineup, livestream_id=livestream.pk, slot_ids=slot_ids)
        request.method = "GET"
        return LivestreamDetailView.as_view()(request, pk=livestream.pk)


urlpatterns = [
    path("livestreams/", LivestreamListView.as_view(), name="livestreams"),
    path("livestreams/add-to-lineup/", LineupAddView.as_view(), name="lineup-add"),
    path("livestreams/<int:pk>/", LivestreamDetailView.as_view(), name="livestream"),
    path("livestreams/<int:pk>/reorder/", LineupReorderView.as_view(), name="lineup-reorder"),
    path("livestreams/<int:pk>/slots/<int:slot_id>/", SlotView.as_view(), name="lineup-slot"),
    # before the transitions' catch-all; not "livestream-copy", the API action's name
    path("livestreams/<int:pk>/copy/", LivestreamCopyView.as_view(), name="lineup-copy"),
    path(
        "livestreams/<int:pk>/<str:action>/", LivestreamMoveView.as_view(), name="livestream-move"
    ),
]
