"""The portal's own pages: each role's home, and the organisation's notices."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from accounts.models import MEMBERS, OPERATOR
from accounts.permissions import MemberRequiredMixin
from accounts.selectors import members_of, providers_for_review
from commissions.selectors.overview import operator_overview
from core.notifications import mark_read, notifications_for
from portal.dashboards import figures_for

HOME_TEMPLATES = {
    "merchant": "core/home_merchant.html",
    "buyer": "core/home_buyer.html",
    "provider": "core/home_provider.html",
    OPERATOR: "core/home_operator.html",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    template = HOME_TEMPLATES.get(user.role, "core/home_unassigned.html")
    context = {"organisation": user.organisation}
    if user.organisation_id:
        context["member_count"] = members_of(organisation=user.organisation).count()
        context["figures"] = figures_for(user.organisation)
    if user.role == OPERATOR:
        context["pending_providers"] = providers_for_review(status="pending")[:20]
        context["overview"] = operator_overview()
    return render(request, template, context)


class NotificationListView(MemberRequiredMixin, View):
    """The organisation's notices; opening the page marks them read."""

    allowed_roles = MEMBERS

    def get(self, request: HttpRequest) -> HttpResponse:
        organisation = request.user.organisation
        notices = list(notifications_for(organisation=organisation)[:100])
        unread_ids = [notice.pk for notice in notices if notice.read_at is None]
        response = render(
            request,
            "core/notifications.html",
            {"notifications": notices, "unread_ids": set(unread_ids)},
        )
        mark_read(organisation=organisation, ids=unread_ids)
        return response
