from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from accounts.models import Role
from accounts.viewsets import ScopedGenericViewSet
from commissions.api.link_serializers import LinkCreateSerializer, LinkSerializer
from commissions.models import AffiliateLink
from commissions.selectors.links import links_for
from commissions.services.links import get_or_create_link


class LinkViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedGenericViewSet
):
    """Tracked links. Buyers create theirs (one per enrollment); the enrollment's merchant and
    provider read the links of their items."""

    queryset = AffiliateLink.objects.all()
    serializer_class = LinkSerializer
    write_roles = (Role.BUYER,)
    filterset_fields = ["enrollment"]
    ordering_fields = ["created_at", "expires_at"]

    def get_queryset(self):
        return links_for(organisation=self.request.user.organisation)

    @extend_schema(
        request=LinkCreateSerializer,
        responses={200: LinkSerializer, 201: LinkSerializer},
        description="Returns the buyer's existing link of the enrollment (200, renewed if it "
        "had expired) or creates it (201).",
    )
    def create(self, request, *args, **kwargs):
        data = LinkCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link, created = get_or_create_link(
            by=request.user, enrollment_id=data.validated_data["enrollment"]
        )
        body = self.get_serializer(self.get_queryset().get(pk=link.pk)).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
