from rest_framework import serializers

from core.fields import IdField
from matchmaking.models import Enrollment


class EnrollmentSerializer(serializers.ModelSerializer):
    """Campaign and product are plain ids: whether someone else's product exists is no hint."""

    campaign = IdField(source="campaign_id")
    product = IdField(source="product_id")
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    # Declared so the schema admits "" (no reason yet); a generated read-only field loses
    # allow_blank and the schema would only list the choices.
    reason = serializers.ChoiceField(
        choices=Enrollment.Reason.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "campaign",
            "product",
            "commission_rate",
            "service_fee_rate",
            "campaign_price",
            "promotion_stock",
            "min_followers",
            "auto_approve_samples",
            "status",
            "reason",
            "reason_text",
            "parent",
        ]
        read_only_fields = ["status", "reason", "reason_text"]


class EnrollmentRejectSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=Enrollment.Reason.choices, required=False, allow_blank=True
    )
    reason_text = serializers.CharField(max_length=500, required=False, allow_blank=True)


class EnrollmentTerminateSerializer(serializers.Serializer):
    reason_text = serializers.CharField(max_length=500, required=False, allow_blank=True)


class EnrollmentReofferSerializer(serializers.Serializer):
    campaign = IdField(help_text="Another provider's campaign.")
    service_fee_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        help_text="The second level's rate, at most 90 % of the first level's.",
    )
    promotion_stock = serializers.IntegerField(
        required=False, help_text="At most the first level's; defaults to it."
    )


class EnrollmentBulkApproveSerializer(serializers.Serializer):
    ids = serializers.ListField(child=IdField(), allow_empty=True)


class EnrollmentBulkApproveResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Enrollment.Status.choices, required=False)
    error = serializers.CharField(required=False)


class EnrollmentBulkApproveResponseSerializer(serializers.Serializer):
    results = EnrollmentBulkApproveResultSerializer(many=True)
