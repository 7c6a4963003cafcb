"""API routes of influencers outside the router: actions on a buyer organisation."""

from django.urls import path

from influencers.api.follower_checks import VerifyFollowersView

urlpatterns = [
    path(
        "buyers/<int:pk>/verify-followers/",
        VerifyFollowersView.as_view(),
        name="api-buyer-verify-followers",
    ),
]
