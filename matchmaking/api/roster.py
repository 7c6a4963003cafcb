"""`/api/v1/roster/` (actions accept, end) and `/api/v1/buyers/` (the buyer directory)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Organisation, Role
from accounts.permissions import HasRole
from accounts.viewsets import ScopedGenericViewSet
from matchmaking.api.roster_serializers import BuyerDirectorySerializer, RosterMembershipSerializer
from matchmaking.models import RosterMembership
from matchmaking.selectors import roster as selectors
from matchmaking.services import roster as services


class RosterViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ScopedGenericViewSet,
):
    """Providers invite buyers (POST {buyer}); the buyer accepts; either side ends."""

    queryset = RosterMembership.objects.all()
    serializer_class = RosterMembershipSerializer
    allowed_roles = (Role.PROVIDER, Role.BUYER)
    filterset_fields = ["status"]

    def base_queryset(self):
        return RosterMembership.objects.select_related("provider", "buyer")

    def perform_create(self, serializer):
        membership = services.invite_buyer(
            by=self.request.user, buyer_id=serializer.validated_data["buyer_id"]
        )
        serializer.instance = self.base_queryset().get(pk=membership.pk)

    def respond(self, membership: RosterMembership) -> Response:
        return Response(self.get_serializer(self.base_queryset().get(pk=membership.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        membership = self.get_object()
        return self.respond(
            services.accept_membership(membership_id=membership.pk, by=request.user)
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        membership = self.get_object()
        return self.respond(services.end_membership(membership_id=membership.pk, by=request.user))


class BuyerDirectoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Active buyer organisations by name (`?search=`), for providers choosing whom to invite."""

    permission_classes = [IsAuthenticated, HasRole]
    allowed_roles = (Role.PROVIDER,)
    serializer_class = BuyerDirectorySerializer
    queryset = Organisation.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[OpenApiParameter("search", str, description="Part of the buyer's name.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.buyer_directory(search=self.request.query_params.get("search", ""))
