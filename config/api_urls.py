"""Everything under /api/v1/. Later apps register their viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts import api as accounts_api
from core.notifications_api import NotificationViewSet
from influencers.api.profiles import ProfileView
from influencers.api.catalogue import CatalogueViewSet
from influencers.api.livestreams import LivestreamViewSet
from influencers.api.samples import SampleRequestViewSet

router = DefaultRouter()
router.register("members", accounts_api.MemberViewSet, basename="member")
router.register("invitations", accounts_api.InvitationViewSet, basename="invitation")
router.register("providers", accounts_api.ProviderViewSet, basename="provider")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("sample-requests", SampleRequestViewSet, basename="sample-request")
router.register("livestreams", LivestreamViewSet, basename="livestream")
router.register("catalogue", CatalogueViewSet, basename="catalogue")
# merchants
# matchmaking

urlpatterns = [
    path("auth/register/", accounts_api.RegisterView.as_view(), name="api-register"),
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("profile/", ProfileView.as_view(), name="api-buyer-profile"),
    path("", include(router.urls)),
]
