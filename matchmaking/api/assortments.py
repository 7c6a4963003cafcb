"""`/api/v1/assortments/`: providers curate their own; buyers read those shared with them."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from accounts.viewsets import ScopedModelViewSet
from matchmaking.api.assortments_serializers import (
    AssortmentReorderSerializer,
    AssortmentSerializer,
)
from matchmaking.models import Assortment
from matchmaking.selectors import assortments as selectors
from matchmaking.services import assortments as services


class AssortmentViewSet(ScopedModelViewSet):
    """CRUD with ordered ``items``; writing ``items`` replaces the whole list at once."""

    queryset = Assortment.objects.all()
    serializer_class = AssortmentSerializer
    allowed_roles = (Role.PROVIDER, Role.BUYER)
    write_roles = (Role.PROVIDER,)
    search_fields = ["name"]
    ordering_fields = ["name", "updated_at"]

    def get_queryset(self):
        return selectors.assortments_for(organisation=self.request.user.organisation)

    def fresh(self, assortment: Assortment) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=assortment.pk)).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assortment = services.create_assortment(by=request.user, **serializer.service_arguments())
        return Response(self.fresh(assortment), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        assortment = self.get_object()
        serializer = self.get_serializer(assortment, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.update_assortment(
            assortment_id=assortment.pk, by=request.user, **serializer.service_arguments()
        )
        return Response(self.fresh(assortment))

    def destroy(self, request, *args, **kwargs):
        services.delete_assortment(assortment_id=self.get_object().pk, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=AssortmentReorderSerializer, responses=AssortmentSerializer)
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        assortment = self.get_object()
        serializer = AssortmentReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.reorder_assortment(
            assortment_id=assortment.pk,
            by=request.user,
            enrollment_ids=serializer.validated_data["enrollments"],
        )
        return Response(self.fresh(assortment))
