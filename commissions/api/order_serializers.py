"""Serializers of the orders API: orders with their lines, and order CSV imports."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commissions.api.commission_serializers import LineCommissionSerializer, line_commission
from commissions.models import Order, OrderImport, OrderLine

# One schema component for a CSV row error, whichever import reports it.
from core.import_serializers import ImportErrorsSerializer as OrderImportErrorsSerializer
from core.import_serializers import ImportRowErrorSerializer

__all__ = ["OrderImportErrorsSerializer", "OrderImportSerializer", "OrderSerializer"]


class OrderLineSerializer(serializers.ModelSerializer):
    attributed = serializers.SerializerMethodField()
    commission = serializers.SerializerMethodField(
        help_text="The line's commission split; null for a line that is not attributed."
    )
    # Declared so the schema admits "" (an attributed line); a generated read-only field
    # loses allow_blank and the schema would only list the reasons.
    unattributed_reason = serializers.ChoiceField(
        choices=OrderLine.Unattributed.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = OrderLine
        fields = ["sku", "quantity", "amount", "refunded_amount", "commission", "attributed",
                  "unattributed_reason"]  # fmt: skip
        read_only_fields = fields

    def get_attributed(self, line: OrderLine) -> bool:
        return line.link_id is not None

    @extend_schema_field(LineCommissionSerializer(allow_null=True))
    def get_commission(self, line: OrderLine) -> dict | None:
        return line_commission(line)


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, source="visible_lines")

    class Meta:
        model = Order
        fields = ["id", "external_id", "status", "lines", "paid_at", "confirmed_at"]
        read_only_fields = fields


class OrderImportResultSerializer(serializers.Serializer):
    orders = serializers.IntegerField(help_text="Orders in the file.")
    applied_events = serializers.IntegerField(
        help_text="New events applied; 0 when the file was imported before."
    )


class OrderImportQueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=OrderImport.Status.choices)
    url = serializers.URLField(help_text="Poll this for progress.")


class OrderImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The storefront's order export, with a header row.")


class OrderImportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    errors = serializers.SerializerMethodField()

    class Meta:
        model = OrderImport
        fields = ["id", "filename", "status", "total_rows", "processed_rows", "percent",
                  "applied_events", "errors", "created_at", "finished_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ImportRowErrorSerializer(many=True))
    def get_errors(self, order_import: OrderImport) -> list[dict]:
        return order_import.errors
