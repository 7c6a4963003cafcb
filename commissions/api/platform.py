"""``GET, PATCH /api/v1/platform/settings/``: the platform rate, operators only."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOperator
from commissions.models import PlatformSettings
from commissions.models.money import RATE
from commissions.services.platform_settings import (
    MAX_PLATFORM_RATE,
    current_settings,
    update_platform_settings,
)

RATE_MESSAGE = _("The platform rate is a number from 0.0000 to 0.5000, with at most four decimals.")
RATE_ERROR_KEYS = (
    "invalid",
    "max_value",
    "min_value",
    "max_digits",
    "max_decimal_places",
    "max_whole_digits",
    "max_string_length",
)
RATE_ERRORS = dict.fromkeys(RATE_ERROR_KEYS, RATE_MESSAGE)


class PlatformSettingsSerializer(serializers.ModelSerializer):
    platform_rate = serializers.DecimalField(
        **RATE, min_value=Decimal(0), max_value=MAX_PLATFORM_RATE, error_messages=RATE_ERRORS,
        help_text="The platform's share of each gross commission and fee, 0.0000 to 0.5000.",
    )  # fmt: skip
    updated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="null until changed."
    )

    class Meta:
        model = PlatformSettings
        fields = ["platform_rate", "updated_at", "updated_by"]
        read_only_fields = ["updated_at"]


class PlatformSettingsView(APIView):
    """The operator's platform settings. A new rate applies to commissions computed afterwards."""

    permission_classes = [IsAuthenticated, IsOperator]

    @extend_schema(responses=PlatformSettingsSerializer)
    def get(self, request):
        return Response(PlatformSettingsSerializer(current_settings()).data)

    @extend_schema(request=PlatformSettingsSerializer, responses=PlatformSettingsSerializer)
    def patch(self, request):
        serializer = PlatformSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = current_settings()
        if "platform_rate" in serializer.validated_data:
            row = update_platform_settings(
                platform_rate=serializer.validated_data["platform_rate"], by=request.user
            )
        return Response(PlatformSettingsSerializer(row).data)
