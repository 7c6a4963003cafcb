from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import HasRole
from accounts.scoping import visible_to
from commissions.models import AffiliateLink
from commissions.selectors.stats import Period, link_stats
from core import dates
from influencers.models import Livestream

MAX_DAYS = 366
RANGE_PARAMETERS = [
    OpenApiParameter("from", str, description="YYYY-MM-DD, default 30 days ago"),
    OpenApiParameter("to", str, description="YYYY-MM-DD, default today"),
]


class PeriodSerializer(serializers.Serializer):
    """``from`` and ``to`` of the query; empty values mean the default range."""

    def get_fields(self):
        # "from" is a Python keyword: the fields are named here, so errors name the parameter.
        return {"from": dates.DateField(required=False), "to": dates.DateField(required=False)}

    def to_internal_value(self, data):
        given = {key: data.get(key) for key in ("from", "to")}
        return super().to_internal_value({key: value for key, value in given.items() if value})

    def validate(self, attrs):
        end = attrs.get("to") or timezone.localdate()
        start = attrs.get("from") or end - timedelta(days=29)
        if start > end:
            raise serializers.ValidationError({"from": ["The range starts after it ends."]})
        if (end - start).days >= MAX_DAYS:
            raise serializers.ValidationError({"from": [f"Ask for at most {MAX_DAYS} days."]})
        return Period(start=start, end=end)


class LinkStatsSerializer(serializers.Serializer):
    start = serializers.DateField(source="period.start")
    end = serializers.DateField(source="period.end")
    clicks = serializers.IntegerField(source="stats.clicks")
    unique_clicks = serializers.IntegerField(source="stats.unique_clicks")
    orders = serializers.IntegerField(source="stats.orders")
    gmv = serializers.DecimalField(source="stats.gmv", max_digits=14, decimal_places=2)
    conversion_rate = serializers.DecimalField(
        source="stats.conversion_rate",
        max_digits=6,
        decimal_places=4,
        help_text="Orders that came through a recorded click, per counted click.",
    )
    orders_by_click = serializers.IntegerField(source="stats.orders_by_click")
    orders_by_link_code = serializers.IntegerField(
        source="stats.orders_by_link_code",
        help_text="Orders credited by link code alone: counted, not part of conversion.",
    )


def period_of(request) -> Period:
    serializer = PeriodSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def answer(links, request) -> Response:
    period = period_of(request)
    stats = link_stats(links=links, period=period)
    return Response(LinkStatsSerializer({"period": period, "stats": stats}).data)


class LinkStatsView(APIView):
    """One link's clicks, unique clicks, orders, GMV and conversion over a date range."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=RANGE_PARAMETERS, responses=LinkStatsSerializer)
    def get(self, request, pk: int):
        links = visible_to(AffiliateLink.objects.all(), request.user.organisation)
        link = get_object_or_404(links, pk=pk)
        return answer(AffiliateLink.objects.filter(pk=link.pk), request)


class LivestreamStatsView(APIView):
    """The links of a livestream's lineup, together."""

    permission_classes = [IsAuthenticated, HasRole]
    allowed_roles = (Role.BUYER,)

    @extend_schema(parameters=RANGE_PARAMETERS, responses=LinkStatsSerializer)
    def get(self, request, pk: int):
        livestreams = visible_to(Livestream.objects.all(), request.user.organisation)
        livestream = get_object_or_404(livestreams, pk=pk)
        links = AffiliateLink.objects.filter(
            buyer=livestream.buyer, enrollment__lineup_slots__livestream=livestream
        ).distinct()
        return answer(links, request)


class BuyerStatsView(APIView):
    """All of the calling buyer's links, together."""

    permission_classes = [IsAuthenticated, HasRole]
    allowed_roles = (Role.BUYER,)

    @extend_schema(parameters=RANGE_PARAMETERS, responses=LinkStatsSerializer)
    def get(self, request):
        return answer(AffiliateLink.objects.filter(buyer=request.user.organisation), request)
