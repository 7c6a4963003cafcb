from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import IdField
from matchmaking.models import RATE, ChangeRequest, EnrollmentRate
from matchmaking.selectors.change_requests import auto_accept_at


class ChangeRequestSerializer(serializers.ModelSerializer):
    """A change request with the enrollment's current rates beside the requested ones."""

    enrollment = serializers.IntegerField(source="enrollment_id", read_only=True)
    current_commission_rate = serializers.DecimalField(
        source="enrollment.commission_rate", read_only=True, **RATE
    )
    current_service_fee_rate = serializers.DecimalField(
        source="enrollment.service_fee_rate", read_only=True, **RATE
    )
    auto_accept_at = serializers.SerializerMethodField()

    class Meta:
        model = ChangeRequest
        fields = [
            "id", "enrollment", "kind", "commission_rate", "service_fee_rate",
            "current_commission_rate", "current_service_fee_rate", "note", "status",
            "reason", "auto_accepted", "created_at", "decided_at", "auto_accept_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_auto_accept_at(self, change_request: ChangeRequest) -> str | None:
        moment = auto_accept_at(change_request)
        return None if moment is None else serializers.DateTimeField().to_representation(moment)


class ChangeRequestCreateSerializer(serializers.Serializer):
    """What a merchant sends; the rules themselves live in the service."""

    enrollment = IdField()
    kind = serializers.ChoiceField(choices=ChangeRequest.Kind.choices)
    commission_rate = serializers.DecimalField(
        required=False, allow_null=True, min_value=Decimal(0), **RATE
    )
    service_fee_rate = serializers.DecimalField(
        required=False, allow_null=True, min_value=Decimal(0), **RATE
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ChangeRequestRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class EnrollmentRateSerializer(serializers.ModelSerializer):
    enrollment = serializers.IntegerField(source="enrollment_id", read_only=True)

    class Meta:
        model = EnrollmentRate
        fields = [
            "enrollment", "commission_rate", "service_fee_rate",
            "effective_at", "effective_for_existing_at",
        ]  # fmt: skip
        read_only_fields = fields
