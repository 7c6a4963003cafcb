"""Provider portal: recommendations for a roster buyer, and buyers for an enrollment."""

from django.shortcuts import render
from django.urls import path
from django.views import View

from accounts.models import Role
from accounts.permissions import MemberRequiredMixin
from core.fields import parse_id
from matchmaking.models import Enrollment
from matchmaking.selectors import recommendations as selectors

app_name = "recommendations"
LIMIT = 30


def chosen_id(request, name: str) -> int | None:
    return parse_id(request.GET.get(name))


class ForBuyerView(MemberRequiredMixin, View):
    """Pick a roster buyer, see the provider's enrollments ranked for it with their reasons."""

    allowed_roles = (Role.PROVIDER,)

    def get(self, request):
        provider = request.user.organisation
        buyer_id = chosen_id(request, "buyer")
        context = {"buyers": selectors.roster_buyers(provider=provider), "buyer": None}
        if buyer_id is not None:
            buyer = selectors.roster_buyer(organisation=provider, buyer_id=buyer_id)
            context["buyer"] = buyer
            context["recommendations"] = selectors.recommendations_for(
                organisation=provider, buyer=buyer, limit=LIMIT
            )
        return render(request, "matchmaking/recommendations/for_buyer.html", context)


class ForEnrollmentView(MemberRequiredMixin, View):
    """Pick one of the provider's approved enrollments, see its roster buyers ranked."""

    allowed_roles = (Role.PROVIDER,)

    def get(self, request):
        provider = request.user.organisation
        enrollments = (
            Enrollment.objects.filter(campaign__provider=provider, status="approved")
            .select_related("product")
            .order_by("-id")[:200]
        )
        context = {"enrollments": enrollments, "enrollment": None}
        enrollment_id = chosen_id(request, "enrollment")
        if enrollment_id is not None:
            enrollment = selectors.reverse_enrollment(
                organisation=provider, enrollment_id=enrollment_id
            )
            context["enrollment"] = enrollment
            context["ranked"] = selectors.recommend_buyers_for_enrollment(
                enrollment=enrollment,
                buyers=selectors.reverse_buyers(enrollment=enrollment),
                limit=LIMIT,
            )
        return render(request, "matchmaking/recommendations/for_enrollment.html", context)


urlpatterns = [
    path("recommendations/", ForBuyerView.as_view(), name="for-buyer"),
    path("recommendations/buyers/", ForEnrollmentView.as_view(), name="for-enrollment"),
]
