from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from commissions.views.redirect import follow_link
from core import views as core_views
from portal import views as portal_views

handler404 = "core.views.page_not_found"
handler403 = "core.views.permission_denied"
handler500 = "core.views.server_error"

urlpatterns = [
    path("l/<str:code>", follow_link, name="follow-link"),  # first: the hottest path
    path("", portal_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("notifications/", portal_views.NotificationListView.as_view(), name="notifications"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("accounts.urls")),
    path("", include("merchants.urls")),
    path("", include("matchmaking.urls")),
    path("", include("influencers.urls")),
    path("", include("commissions.urls")),
]
