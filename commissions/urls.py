"""Portal pages of tracking, orders and money; each area's views module holds its urlpatterns."""

from django.urls import include, path

urlpatterns: list = [
    # one line per area: path("", include("commissions.views.<area>")),
    path("", include("commissions.views.links")),
    path("", include("commissions.views.statements")),
    path("", include("commissions.views.dashboards")),
    path("", include("commissions.views.orders")),
    path("", include("commissions.views.commissions")),
    path("", include("commissions.views.settlements")),
]
