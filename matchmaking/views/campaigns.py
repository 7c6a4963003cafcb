"""Portal pages of campaigns: providers run theirs; merchants and buyers browse live ones."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import MEMBERS, Role
from accounts.permissions import MemberRequiredMixin
from core.errors import DomainError
from matchmaking.models import Campaign
from matchmaking.selectors.campaigns import (
    campaigns_for,
    campaigns_open_for_registration,
    is_accepting_enrollments,
    provider_campaigns,
    with_effective_status,
)
from matchmaking.selectors.enrollments import enrollments_of_campaign
from matchmaking.services import campaigns as services
from matchmaking.views.campaign_forms import CampaignForm, add_domain_error

PAGE_ROWS = 200


def live_campaigns(request: HttpRequest) -> QuerySet[Campaign]:
    """What the caller may open: own campaigns (provider), live ones (merchant, buyer)."""
    return with_effective_status(campaigns_for(organisation=request.user.organisation))


class CampaignListView(MemberRequiredMixin, View):
    allowed_roles = MEMBERS

    def get(self, request: HttpRequest) -> HttpResponse:
        organisation = request.user.organisation
        if request.user.role == Role.PROVIDER:
            campaigns = provider_campaigns(provider=organisation)
        elif request.user.role == Role.MERCHANT:
            campaigns = with_effective_status(
                campaigns_open_for_registration(organisation=organisation)
            )
        else:
            campaigns = live_campaigns(request)
        rows = campaigns.order_by("-promotion_start", "-id")[:PAGE_ROWS]
        return render(request, "matchmaking/campaigns/list.html", {"campaigns": rows})


class ProviderCampaignMixin(MemberRequiredMixin):
    allowed_roles = (Role.PROVIDER,)

    def get_campaign(self, pk: int) -> Campaign:
        return get_object_or_404(live_campaigns(self.request), pk=pk)


class CampaignCreateView(ProviderCampaignMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show(CampaignForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                campaign = services.create_campaign(by=request.user, values=form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Campaign drafted. Open it when it is ready."))
                return redirect("campaign-detail", pk=campaign.pk)
        return self.show(form)

    def show(self, form: CampaignForm) -> HttpResponse:
        return render(self.request, "matchmaking/campaigns/form.html", {"form": form})


class CampaignEditView(ProviderCampaignMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(pk)
        return self.show(campaign, CampaignForm(campaign=campaign))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(pk)
        form = CampaignForm(request.POST, campaign=campaign)
        if form.is_valid():
            try:
                services.update_campaign(
                    campaign_id=campaign.pk, by=request.user, changes=form.changes()
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Campaign saved."))
                return redirect("campaign-detail", pk=campaign.pk)
        return self.show(campaign, form)

    def show(self, campaign: Campaign, form: CampaignForm) -> HttpResponse:
        context = {"form": form, "campaign": campaign}
        return render(self.request, "matchmaking/campaigns/form.html", context)


class CampaignDetailView(MemberRequiredMixin, View):
    """A provider sees its campaign's enrollments; a merchant its own in it, and may enroll."""

    allowed_roles = MEMBERS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = get_object_or_404(live_campaigns(request), pk=pk)
        organisation = request.user.organisation
        enrollments = []
        if request.user.role in (Role.PROVIDER, Role.MERCHANT):
            enrollments = enrollments_of_campaign(campaign=campaign, organisation=organisation)[
                :PAGE_ROWS
            ]
        context = {
            "campaign": campaign,
            "enrollments": enrollments,
            "accepting": is_accepting_enrollments(campaign),
            "is_owner": campaign.provider_id == organisation.pk,
        }
        return render(request, "matchmaking/campaigns/detail.html", context)


class CampaignOpenView(ProviderCampaignMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(pk)
        try:
            services.open_campaign(campaign_id=campaign.pk, by=request.user)
            messages.success(request, _("Campaign opened: merchants can enroll now."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("campaign-detail", pk=campaign.pk)


class CampaignCloseView(ProviderCampaignMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.get_campaign(pk)
        try:
            services.close_campaign(campaign_id=campaign.pk, by=request.user)
            messages.success(request, _("Campaign closed; its approved enrollments expired."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("campaign-detail", pk=campaign.pk)


urlpatterns = [
    path("campaigns/", CampaignListView.as_view(), name="campaigns"),
    path("campaigns/new/", CampaignCreateView.as_view(), name="campaign-create"),
    path("campaigns/<int:pk>/", CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", CampaignEditView.as_view(), name="campaign-edit"),
    path("campaigns/<int:pk>/open/", CampaignOpenView.as_view(), name="campaign-open"),
    path("campaigns/<int:pk>/close/", CampaignCloseView.as_view(), name="campaign-close"),
]
