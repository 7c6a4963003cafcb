"""`/api/v1/campaigns/`: providers run their own; merchants and buyers read live ones."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from accounts.viewsets import ScopedModelViewSet
from matchmaking.api.campaign_serializers import CampaignSerializer
from matchmaking.models import Campaign
from matchmaking.selectors.campaigns import campaigns_for, effectively
from matchmaking.services import campaigns as services


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=Campaign.Status.values,
                description="Effective status today (dates win over what the beat persisted).",
            )
        ]
    )
)
class CampaignViewSet(ScopedModelViewSet):
    """CRUD for the provider's own campaigns; actions `open` (draft only) and `close`.

    Merchants and buyers list and retrieve campaigns effectively open or
    ongoing; their writes answer 403. Another provider's campaign is 404.
    """

    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    allowed_roles = (Role.MERCHANT, Role.BUYER, Role.PROVIDER)
    write_roles = (Role.PROVIDER,)
    search_fields = ["name"]
    ordering_fields = ["promotion_start", "registration_end", "id"]

    def get_queryset(self):
        campaigns = campaigns_for(organisation=self.request.user.organisation)
        status = self.request.query_params.get("status")
        if self.action == "list" and status in Campaign.Status.values:
            campaigns = campaigns.filter(effectively(status))
        return campaigns

    def perform_create(self, serializer):
        serializer.instance = services.create_campaign(
            by=self.request.user, values=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_campaign(
            campaign_id=serializer.instance.pk,
            by=self.request.user,
            changes=dict(serializer.validated_data),
        )

    def perform_destroy(self, instance):
        services.delete_campaign(campaign_id=instance.pk, by=self.request.user)

    def respond(self, campaign: Campaign) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        campaign = self.get_object()
        return self.respond(services.open_campaign(campaign_id=campaign.pk, by=request.user))

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        campaign = self.get_object()
        return self.respond(services.close_campaign(campaign_id=campaign.pk, by=request.user))
