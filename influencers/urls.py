"""Portal pages of the buyer side; each area's views module holds its own urlpatterns."""

from django.urls import include, path

urlpatterns = [
    path("", include("influencers.views.profiles")),
]
