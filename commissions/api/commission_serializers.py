"""Serializers of commissions, and the commission summary of an order line for the orders API."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commissions.models import Commission, OrderLine

Status = Commission.Status


class SettledFiguresSerializer(serializers.ModelSerializer):
    """What settlement posted to the ledger (``posted_*``), beside the current estimate."""

    buyer_net = serializers.DecimalField(source="posted_buyer_net", max_digits=14, decimal_places=2)
    provider_net = serializers.DecimalField(
        source="posted_provider_net", max_digits=14, decimal_places=2
    )
    upstream_net = serializers.DecimalField(
        source="posted_upstream_net", max_digits=14, decimal_places=2
    )
    platform_fee = serializers.DecimalField(
        source="posted_platform_fee", max_digits=14, decimal_places=2
    )
    merchant_pays = serializers.DecimalField(
        source="posted_merchant_pays", max_digits=14, decimal_places=2
    )
    revision = serializers.IntegerField(source="posted_revision")

    class Meta:
        model = Commission
        fields = [
            "buyer_net", "provider_net", "upstream_net", "platform_fee", "merchant_pays",
            "revision", "settled_at",
        ]  # fmt: skip


def was_settled(commission: Commission) -> bool:
    return commission.status == Status.SETTLED or commission.settled_at is not None


class CommissionSerializer(serializers.ModelSerializer):
    """The contract's fields, plus the second level's, the platform rate, the dates and the
    settled figures as a nested object (null until settled)."""

    sku = serializers.CharField(source="line.sku", read_only=True)
    void_reason = serializers.SerializerMethodField()
    settled = serializers.SerializerMethodField()

    class Meta:
        model = Commission
        fields = [
            "id", "order", "sku", "buyer", "provider", "upstream_provider", "status",
            "base_amount", "commission_rate", "service_fee_rate", "upstream_fee_rate",
            "platform_rate", "buyer_gross", "buyer_net", "provider_gross", "provider_net",
            "upstream_gross", "upstream_net", "platform_fee", "merchant_pays", "earned_at",
            "settled_at", "void_reason", "revision", "settled",
        ]  # fmt: skip
        read_only_fields = fields

    def get_void_reason(self, commission: Commission) -> str:
        return gettext(commission.void_reason) if commission.void_reason else ""

    @extend_schema_field(SettledFiguresSerializer(allow_null=True))
    def get_settled(self, commission: Commission) -> dict | None:
        return SettledFiguresSerializer(commission).data if was_settled(commission) else None


class LineCommissionSerializer(serializers.ModelSerializer):
    """A line's commission in the orders API: its status and current split."""

    void_reason = serializers.SerializerMethodField()

    class Meta:
        model = Commission
        fields = [
            "id", "status", "base_amount", "buyer_net", "provider_net", "upstream_net",
            "platform_fee", "merchant_pays", "void_reason",
        ]  # fmt: skip
        read_only_fields = fields

    def get_void_reason(self, commission: Commission) -> str:
        return gettext(commission.void_reason) if commission.void_reason else ""


def line_commission(line: OrderLine) -> dict | None:
    """The commission summary of an order line, or None when it has none.

    Load the lines with ``select_related("commission")`` (or prefetch them so) to keep
    this free of queries: a missing commission is then known without asking."""
    try:
        commission = line.commission
    except ObjectDoesNotExist:
        return None
    return LineCommissionSerializer(commission).data
