"""Portal pages of matchmaking; each area's views module holds its own urlpatterns."""

from django.urls import include, path

urlpatterns: list = [
    # one line per area: path("", include("matchmaking.views.<area>")),
    path("", include("matchmaking.views.campaigns")),
    path("", include("matchmaking.views.enrollments")),
    path("", include("matchmaking.views.change_requests")),
    path("", include("matchmaking.views.roster")),
    path("", include("matchmaking.views.assortments")),
    path("", include("matchmaking.views.recommendations")),
    path("", include("matchmaking.views.proposals")),
]
