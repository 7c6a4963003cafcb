"""``GET /api/v1/dashboard/``: the caller's organisation's money dashboard over a range."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import HasRole
from commissions.selectors.dashboards import RANGES, dashboard_for, period_for
from commissions.selectors.stats import Period
from core import dates

MONEY = {"max_digits": 16, "decimal_places": 2}
PARAMETERS = [
    OpenApiParameter("range", int, enum=list(RANGES), description="The last 7, 30 or 90 days."),
    OpenApiParameter("from", str, description="YYYY-MM-DD, first day included."),
    OpenApiParameter("to", str, description="YYYY-MM-DD, last day included (default today)."),
]


class RangeSerializer(serializers.Serializer):
    """``range`` or ``from``/``to``; the rule itself is ``period_for``'s."""

    range = serializers.IntegerField(
        required=False, error_messages={"invalid": _("Choose 7, 30 or 90 days.")}
    )

    def to_internal_value(self, data):
        # An empty parameter is a parameter not given (a form's blank date).
        given = {key: value for key, value in data.items() if value not in ("", None)}
        return super().to_internal_value(given)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = dates.DateField(required=False)  # keywords: not attribute names
        fields["to"] = dates.DateField(required=False)
        return fields

    def validate(self, attrs) -> Period:
        return period_for(days=attrs.get("range"), start=attrs.get("from"), end=attrs.get("to"))


class CommissionDaySerializer(serializers.Serializer):
    estimated = serializers.DecimalField(**MONEY)
    settled = serializers.DecimalField(**MONEY)


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    gmv = serializers.DecimalField(**MONEY)
    orders = serializers.IntegerField()
    commission = CommissionDaySerializer(source="*")


class TopProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    title = serializers.CharField(source="name")
    gmv = serializers.DecimalField(**MONEY)
    orders = serializers.IntegerField()


class TopPartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    gmv = serializers.DecimalField(**MONEY)
    orders = serializers.IntegerField()


class TopSerializer(serializers.Serializer):
    """A buyer gets products and campaigns, a provider buyers and campaigns, a merchant
    products and buyers."""

    products = TopProductSerializer(many=True, required=False)
    buyers = TopPartySerializer(many=True, required=False)
    campaigns = TopPartySerializer(many=True, required=False)


class DashboardSerializer(serializers.Serializer):
    start = serializers.DateField(source="period.start")
    end = serializers.DateField(source="period.end")
    gmv = serializers.DecimalField(**MONEY)
    orders = serializers.IntegerField()
    clicks = serializers.IntegerField()
    conversion_rate = serializers.DecimalField(
        max_digits=8,
        decimal_places=4,
        help_text="Orders that came through a recorded click, per counted click.",
    )
    orders_by_link_code = serializers.IntegerField(
        help_text="Of the orders, those credited by link code alone (not in conversion)."
    )
    estimated = serializers.DecimalField(**MONEY)
    settled = serializers.DecimalField(**MONEY)
    daily = DaySerializer(many=True)
    top = TopSerializer()


class DashboardView(APIView):
    """GMV, orders, counted clicks, conversion, and the caller's commission (buyer), fee
    (provider) or payable (merchant), estimated and settled side by side, with a daily
    series and top lists."""

    permission_classes = [IsAuthenticated, HasRole]
    allowed_roles = (Role.MERCHANT, Role.BUYER, Role.PROVIDER)

    @extend_schema(parameters=PARAMETERS, responses=DashboardSerializer)
    def get(self, request):
        query = RangeSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        dashboard = dashboard_for(
            organisation=request.user.organisation, period=query.validated_data
        )
        return Response(DashboardSerializer(dashboard).data)
