"""`/api/v1/enrollments/`: merchants enroll their products, providers review, re-offer.

Both the merchant and the campaign's provider see an enrollment, so an action
meant for the other side answers 403 (not 404). Other organisations get 404.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from accounts.viewsets import ScopedGenericViewSet
from matchmaking.api.enrollment_serializers import (
    EnrollmentBulkApproveResponseSerializer,
    EnrollmentBulkApproveSerializer,
    EnrollmentRejectSerializer,
    EnrollmentReofferSerializer,
    EnrollmentSerializer,
    EnrollmentTerminateSerializer,
)
from matchmaking.models import Enrollment
from matchmaking.selectors.enrollments import enrollments_for
from matchmaking.services import enrollments as services
from matchmaking.services.second_level import reoffer_enrollment

TERMS = (
    "commission_rate",
    "service_fee_rate",
    "campaign_price",
    "promotion_stock",
    "min_followers",
    "auto_approve_samples",
)


class EnrollmentViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ScopedGenericViewSet,
):
    """Merchants create (own active products); the campaign's provider approves, rejects,
    terminates; the merchant withdraws; the first-level provider re-offers."""

    queryset = Enrollment.objects.all()
    serializer_class = EnrollmentSerializer
    allowed_roles = (Role.MERCHANT, Role.PROVIDER)
    filterset_fields = ["status", "campaign", "product", "parent"]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return enrollments_for(organisation=self.request.user.organisation)

    def perform_create(self, serializer):
        data = serializer.validated_data
        terms = services.Terms(**{name: data[name] for name in TERMS if name in data})
        serializer.instance = services.enroll_product(
            by=self.request.user,
            campaign_id=data["campaign_id"],
            product_id=data["product_id"],
            terms=terms,
        )

    def respond(self, enrollment: Enrollment, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(enrollment).data, status=code)

    def payload(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        enrollment = self.get_object()
        return self.respond(
            services.approve_enrollment(enrollment_id=enrollment.pk, by=request.user)
        )

    @extend_schema(request=EnrollmentRejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        enrollment = self.get_object()
        data = self.payload(EnrollmentRejectSerializer)
        return self.respond(
            services.reject_enrollment(
                enrollment_id=enrollment.pk,
                by=request.user,
                reason=data.get("reason", ""),
                reason_text=data.get("reason_text", ""),
            )
        )

    @extend_schema(request=EnrollmentTerminateSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        enrollment = self.get_object()
        data = self.payload(EnrollmentTerminateSerializer)
        return self.respond(
            services.terminate_enrollment(
                enrollment_id=enrollment.pk,
                by=request.user,
                reason_text=data.get("reason_text", ""),
            )
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        enrollment = self.get_object()
        return self.respond(
            services.withdraw_enrollment(enrollment_id=enrollment.pk, by=request.user)
        )

    @extend_schema(request=EnrollmentReofferSerializer, responses={201: EnrollmentSerializer})
    @action(detail=True, methods=["post"])
    def reoffer(self, request, pk=None):
        enrollment = self.get_object()
        data = self.payload(EnrollmentReofferSerializer)
        second = reoffer_enrollment(
            enrollment_id=enrollment.pk,
            by=request.user,
            campaign_id=data["campaign"],
            service_fee_rate=data["service_fee_rate"],
            promotion_stock=data.get("promotion_stock"),
        )
        return self.respond(second, status.HTTP_201_CREATED)

    @extend_schema(
        request=EnrollmentBulkApproveSerializer, responses=EnrollmentBulkApproveResponseSerializer
    )
    @action(detail=False, methods=["post"], url_path="bulk-approve")
    def bulk_approve(self, request):
        data = self.payload(EnrollmentBulkApproveSerializer)
        outcome = services.bulk_approve(ids=data["ids"], by=request.user)
        results = [
            {"id": pk, "error": outcome.refused[pk]}
            if pk in outcome.refused
            else {"id": pk, "status": Enrollment.Status.APPROVED}
            for pk in dict.fromkeys(data["ids"])
        ]
        return Response({"results": results})
