"""Portal pages of tracking, orders and money; each area's views module holds its urlpatterns."""

from django.urls import include, path  # noqa: F401  (used as areas are added)

urlpatterns: list = [
    # one line per area: path("", include("commissions.views.<area>")),
]
