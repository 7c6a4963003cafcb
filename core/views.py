from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.models import OPERATOR
from accounts.permissions import MemberRequiredMixin
from accounts.selectors import members_of, providers_for_review
from commissions.selectors.overview import operator_overview
from core.dashboards import figures_for
from core.navigation import MEMBERS
from core.notifications import mark_read, notifications_for

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


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the database may be why we are here.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


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
