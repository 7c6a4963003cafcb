from rest_framework import serializers

from core.fields import IdField
from matchmaking.models import MatchProposal


class MatchProposalSerializer(serializers.ModelSerializer):
    """A proposal as DESIGN.md lists it (id, enrollment, buyer, status, note) plus context."""

    enrollment = serializers.IntegerField(source="enrollment_id", read_only=True)
    buyer = serializers.IntegerField(source="buyer_id", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    provider = serializers.IntegerField(source="provider_id", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    product_title = serializers.CharField(source="enrollment.product.title", read_only=True)
    campaign_name = serializers.CharField(source="enrollment.campaign.name", read_only=True)
    campaign_price = serializers.DecimalField(
        source="enrollment.campaign_price", max_digits=12, decimal_places=2, read_only=True
    )
    commission_rate = serializers.DecimalField(
        source="enrollment.commission_rate", max_digits=5, decimal_places=4, read_only=True
    )

    class Meta:
        model = MatchProposal
        fields = [
            "id",
            "enrollment",
            "buyer",
            "status",
            "note",
            "buyer_name",
            "provider",
            "provider_name",
            "product_title",
            "campaign_name",
            "campaign_price",
            "commission_rate",
            "created_at",
            "answered_at",
        ]
        read_only_fields = fields


class ProposeSerializer(serializers.Serializer):
    buyer = IdField()
    enrollments = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        max_length=100,
        help_text="Approved enrollments of your campaigns; one proposal each.",
    )
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class SkippedSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    reason = serializers.CharField()


class ProposeResultSerializer(serializers.Serializer):
    created = MatchProposalSerializer(many=True)
    skipped = SkippedSerializer(many=True)


class AcceptanceStatsSerializer(serializers.Serializer):
    provider = serializers.IntegerField()
    provider_name = serializers.CharField()
    proposed = serializers.IntegerField()
    accepted = serializers.IntegerField()
    declined = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    acceptance_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        allow_null=True,
        help_text="accepted / (accepted + declined)",
    )
