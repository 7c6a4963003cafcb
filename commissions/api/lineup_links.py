"""``POST /livestreams/{id}/generate-links/``: every slot's tracked link at once.

The route sits under livestreams (the buyer's lineup), but links are commissions' to make, and
influencers stands below commissions: so this action lives here, registered on the same prefix.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from accounts.viewsets import ScopedGenericViewSet
from commissions.api.link_serializers import LineupLinksSerializer, lineup_links_data
from commissions.services.links import links_for_livestream
from influencers.models import Livestream
from influencers.selectors.livestreams import livestreams_of


class LineupLinksViewSet(ScopedGenericViewSet):
    queryset = Livestream.objects.all()
    allowed_roles = (Role.BUYER,)

    def get_queryset(self):
        return livestreams_of(buyer=self.request.user.organisation)

    @extend_schema(request=None, responses=LineupLinksSerializer)
    @action(detail=True, methods=["post"], url_path="generate-links")
    def generate_links(self, request, pk=None):
        """Every slot's tracked link at once; slots no longer promotable are skipped."""
        livestream = self.get_object()
        result = links_for_livestream(by=request.user, livestream_id=livestream.pk)
        return Response(lineup_links_data(result, context=self.get_serializer_context()))
