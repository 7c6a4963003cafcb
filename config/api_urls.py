"""Everything under /api/v1/. Later apps register their viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts import api as accounts_api
from commissions.api import commissions as commissions_api
from commissions.api import dashboards as dashboards_api
from commissions.api import ledger as ledger_api
from commissions.api import orders as orders_api
from commissions.api import platform as platform_api
from commissions.api import settlements as settlements_api
from commissions.api import statements as statements_api
from commissions.api import stats as stats_api
from commissions.api.lineup_links import LineupLinksViewSet
from commissions.api.links import LinkViewSet
from commissions.api.webhooks import OrderWebhookView
from core.notifications_api import NotificationViewSet
from influencers.api.catalogue import CatalogueViewSet
from influencers.api.livestreams import LivestreamViewSet
from influencers.api.profiles import ProfileView
from influencers.api.samples import SampleRequestViewSet
from matchmaking.api import assortments as assortments_api
from matchmaking.api import campaigns as campaigns_api
from matchmaking.api import change_requests as change_requests_api
from matchmaking.api import enrollments as enrollments_api
from matchmaking.api import proposals as proposals_api
from matchmaking.api import recommendations as recommendations_api
from matchmaking.api import roster as roster_api
from merchants import api as merchants_api

router = DefaultRouter()
router.register("members", accounts_api.MemberViewSet, basename="member")
router.register("invitations", accounts_api.InvitationViewSet, basename="invitation")
router.register("providers", accounts_api.ProviderViewSet, basename="provider")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("sample-requests", SampleRequestViewSet, basename="sample-request")
router.register("livestreams", LivestreamViewSet, basename="livestream")
router.register("livestreams", LineupLinksViewSet, basename="livestream-links")
router.register("catalogue", CatalogueViewSet, basename="catalogue")
# merchants
router.register("products", merchants_api.ProductViewSet, basename="product")
router.register("product-imports", merchants_api.ProductImportViewSet, basename="product-import")
router.register("categories", merchants_api.CategoryViewSet, basename="category")
router.register(
    "storefront-domains", merchants_api.StorefrontDomainViewSet, basename="storefront-domain"
)
# commissions
router.register("settlements", settlements_api.SettlementRunViewSet, basename="settlement")
router.register("links", LinkViewSet, basename="link")
router.register("commissions", commissions_api.CommissionViewSet, basename="commission")
router.register("orders", orders_api.OrderViewSet, basename="order")
router.register("order-imports", orders_api.OrderImportViewSet, basename="order-import")
router.register("payouts", statements_api.PayoutViewSet, basename="payout")
# matchmaking
router.register("campaigns", campaigns_api.CampaignViewSet, basename="campaign")
router.register("enrollments", enrollments_api.EnrollmentViewSet, basename="enrollment")
router.register(
    "change-requests", change_requests_api.ChangeRequestViewSet, basename="change-request"
)
router.register(
    "enrollment-rates", change_requests_api.EnrollmentRateViewSet, basename="enrollment-rate"
)
router.register("roster", roster_api.RosterViewSet, basename="roster")
router.register("buyers", roster_api.BuyerDirectoryViewSet, basename="buyer-directory")
router.register("assortments", assortments_api.AssortmentViewSet, basename="assortment")
router.register("match-proposals", proposals_api.MatchProposalViewSet, basename="match-proposal")

urlpatterns = [
    path("auth/register/", accounts_api.RegisterView.as_view(), name="api-register"),
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", accounts_api.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("profile/", ProfileView.as_view(), name="api-buyer-profile"),
    path("links/<int:pk>/stats/", stats_api.LinkStatsView.as_view(), name="api-link-stats"),
    path(
        "livestreams/<int:pk>/stats/",
        stats_api.LivestreamStatsView.as_view(),
        name="api-livestream-stats",
    ),
    path("stats/", stats_api.BuyerStatsView.as_view(), name="api-buyer-stats"),
    path("dashboard/", dashboards_api.DashboardView.as_view(), name="api-dashboard"),
    path("webhooks/orders/", OrderWebhookView.as_view(), name="api-order-webhook"),
    path("statements/", statements_api.StatementView.as_view(), name="api-statements"),
    path(
        "platform/settings/",
        platform_api.PlatformSettingsView.as_view(),
        name="api-platform-settings",
    ),
    path("ledger/balances/", ledger_api.BalancesView.as_view(), name="api-ledger-balances"),
    path(
        "recommendations/",
        recommendations_api.RecommendationsView.as_view(),
        name="api-recommendations",
    ),
    path(
        "recommendations/buyers/",
        recommendations_api.BuyerRecommendationsView.as_view(),
        name="api-recommendations-buyers",
    ),
    path("", include("influencers.api.urls")),
    path("", include(router.urls)),
]
