"""Portal pages of the buyer side; each area's views module holds its own urlpatterns."""

from django.urls import include, path

urlpatterns = [
    path("", include("influencers.views.profiles")),
    path("", include("influencers.views.catalogue")),
    path("", include("influencers.views.samples")),
    path("", include("influencers.views.lineup_building")),
    path("", include("influencers.views.livestreams")),
    path("", include("influencers.views.follower_checks")),
]
