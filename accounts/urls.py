from django.urls import path

from accounts import views

urlpatterns = [
    path("organisation/", views.OrganisationView.as_view(), name="organisation"),
    path(
        "organisation/invitations/<int:pk>/revoke/",
        views.RevokeInvitationView.as_view(),
        name="invitation-revoke",
    ),
    path("operator/providers/", views.ProviderReviewView.as_view(), name="operator-providers"),
]
