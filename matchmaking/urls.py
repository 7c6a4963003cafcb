"""Portal pages of matchmaking; each area's views module holds its own urlpatterns."""

from django.urls import include, path  # noqa: F401  (used as areas are added)

urlpatterns: list = [
    # one line per area: path("", include("matchmaking.views.<area>")),
]
