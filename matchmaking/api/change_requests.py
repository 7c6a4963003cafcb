"""Change requests (merchant asks, provider decides) and enrollments' rate history."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from accounts.viewsets import ScopedGenericViewSet, ScopedReadOnlyViewSet
from core.fields import MAX_ID
from matchmaking.api.change_request_serializers import (
    ChangeRequestCreateSerializer,
    ChangeRequestRejectSerializer,
    ChangeRequestSerializer,
    EnrollmentRateSerializer,
)
from matchmaking.models import ChangeRequest, EnrollmentRate
from matchmaking.selectors.change_requests import change_requests_for, enrollment_rates_for
from matchmaking.services import change_requests as services

# An id past the primary key's range is a 400 on the parameter, not a database overflow.
ID_RANGE = {"min_value": 1, "max_value": MAX_ID}


class ChangeRequestFilter(django_filters.FilterSet):
    # By id, never by a model choice: an unknown or invisible enrollment just matches nothing.
    enrollment = django_filters.NumberFilter(field_name="enrollment_id", **ID_RANGE)

    class Meta:
        model = ChangeRequest
        fields = ["enrollment", "kind", "status"]


class ChangeRequestViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ScopedGenericViewSet,
):
    """The merchant asks for a rate change or a cancellation of an approved enrollment; the
    campaign's provider accepts or rejects it (accepted automatically after 7 days).
    A request cannot be edited or withdrawn."""

    queryset = ChangeRequest.objects.none()
    serializer_class = ChangeRequestSerializer
    allowed_roles = (Role.MERCHANT, Role.PROVIDER)
    filterset_class = ChangeRequestFilter
    ordering_fields = ["created_at", "decided_at"]

    def get_queryset(self):
        return change_requests_for(organisation=self.request.user.organisation)

    @extend_schema(request=ChangeRequestCreateSerializer, responses={201: ChangeRequestSerializer})
    def create(self, request):
        payload = ChangeRequestCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        change_request = services.request_change(
            enrollment_id=data["enrollment"],
            by=request.user,
            kind=data["kind"],
            commission_rate=data.get("commission_rate"),
            service_fee_rate=data.get("service_fee_rate"),
            note=data["note"],
        )
        return Response(self.get_serializer(change_request).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        change_request = services.accept_change_request(
            change_request_id=self.get_object().pk, by=request.user
        )
        return Response(self.get_serializer(change_request).data)

    @extend_schema(request=ChangeRequestRejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        change_request = self.get_object()
        payload = ChangeRequestRejectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        change_request = services.reject_change_request(
            change_request_id=change_request.pk,
            by=request.user,
            reason=payload.validated_data["reason"],
        )
        return Response(self.get_serializer(change_request).data)


class EnrollmentRateFilter(django_filters.FilterSet):
    enrollment = django_filters.NumberFilter(field_name="enrollment_id", **ID_RANGE)

    class Meta:
        model = EnrollmentRate
        fields = ["enrollment"]


class EnrollmentRateViewSet(ScopedReadOnlyViewSet):
    """The rate history of the enrollments the caller may see (`?enrollment=<id>`).

    `effective_at` is when a rate applies to buyers who start promoting after it;
    `effective_for_existing_at` when it reaches buyers already promoting (30 days
    later for a commission decrease)."""

    queryset = EnrollmentRate.objects.none()
    serializer_class = EnrollmentRateSerializer
    allowed_roles = (Role.MERCHANT, Role.PROVIDER)
    filterset_class = EnrollmentRateFilter
    ordering_fields = ["effective_at"]

    def get_queryset(self):
        return enrollment_rates_for(organisation=self.request.user.organisation)
