"""`/api/v1/match-proposals/`: providers propose (one or many), buyers accept or decline."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from accounts.viewsets import ScopedGenericViewSet
from matchmaking.api.proposal_serializers import (
    AcceptanceStatsSerializer,
    MatchProposalSerializer,
    ProposeResultSerializer,
    ProposeSerializer,
)
from matchmaking.models import MatchProposal
from matchmaking.selectors import proposals as selectors
from matchmaking.services import proposals as services


class MatchProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """Each side sees its own proposals; the service says who may do what (403 / 409)."""

    queryset = MatchProposal.objects.all()
    serializer_class = MatchProposalSerializer
    allowed_roles = (Role.PROVIDER, Role.BUYER)
    filterset_fields = ["status", "buyer"]
    ordering_fields = ["created_at", "answered_at"]

    def get_queryset(self):
        return selectors.proposals_for(organisation=self.request.user.organisation)

    def respond(self, proposal: MatchProposal) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(request=ProposeSerializer, responses={201: ProposeResultSerializer})
    def create(self, request, *args, **kwargs):
        """One proposal per enrollment; ones already open for the buyer are skipped."""
        data = ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.propose_enrollments(
            by=request.user,
            buyer_id=data.validated_data["buyer"],
            enrollment_ids=data.validated_data["enrollments"],
            note=data.validated_data["note"],
        )
        created = self.get_queryset().filter(pk__in=[p.pk for p in result.created])
        body = {
            "created": self.get_serializer(created.order_by("pk"), many=True).data,
            "skipped": result.skipped,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        proposal = self.get_object()
        return self.respond(services.accept_proposal(proposal_id=proposal.pk, by=request.user))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        proposal = self.get_object()
        return self.respond(services.decline_proposal(proposal_id=proposal.pk, by=request.user))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        proposal = self.get_object()
        return self.respond(services.withdraw_proposal(proposal_id=proposal.pk, by=request.user))

    @extend_schema(responses=AcceptanceStatsSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def stats(self, request):
        """Acceptance rate per provider: accepted / (accepted + declined)."""
        rows = selectors.acceptance_stats(organisation=request.user.organisation)
        return Response(AcceptanceStatsSerializer(rows, many=True).data)
