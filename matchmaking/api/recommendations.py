"""`GET /api/v1/recommendations/?buyer=&limit=`, `GET .../recommendations/buyers/?enrollment=`.

Forward: a provider for a buyer on its active roster (its own campaigns' enrollments), a
buyer for itself. Reverse: the provider of the enrollment's campaign or its merchant,
among the buyers on that provider's active roster. Anything else answers 404.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import HasRole
from core.fields import IdField
from matchmaking.selectors import recommendations as selectors

MAX_LIMIT = 120


class QuerySerializer(serializers.Serializer):
    buyer = IdField(required=False)
    enrollment = IdField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=20)


class RecommendationSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField(source="enrollment.pk")
    product = serializers.CharField(source="enrollment.product.title")
    category = serializers.CharField(source="enrollment.product.category.slug")
    campaign_price = serializers.DecimalField(
        source="enrollment.campaign_price", max_digits=12, decimal_places=2
    )
    commission_rate = serializers.DecimalField(
        source="enrollment.commission_rate", max_digits=5, decimal_places=4
    )
    promotion_stock = serializers.IntegerField(source="enrollment.promotion_stock")
    score = serializers.DecimalField(max_digits=5, decimal_places=4)
    reasons = serializers.ListField(child=serializers.CharField())
    parts = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=4))


class BuyerRecommendationSerializer(serializers.Serializer):
    buyer = serializers.IntegerField(source="buyer.pk")
    name = serializers.CharField(source="buyer.name")
    score = serializers.DecimalField(source="rec.score", max_digits=5, decimal_places=4)
    reasons = serializers.ListField(source="rec.reasons", child=serializers.CharField())
    parts = serializers.DictField(
        source="rec.parts", child=serializers.DecimalField(max_digits=5, decimal_places=4)
    )


def query(request, required: str) -> dict:
    serializer = QuerySerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    if required and required not in serializer.validated_data:
        raise serializers.ValidationError({required: ["This parameter is required."]})
    return serializer.validated_data


def page_schema(name: str, item: serializers.Serializer) -> serializers.Serializer:
    """The schema of ``page(...)``: one page with every result, like the paginated lists."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
            "results": item,
        },
    )


def page(results: list) -> Response:
    return Response({"count": len(results), "next": None, "previous": None, "results": results})


class RecommendationsView(APIView):
    """Enrollments ranked for a buyer, with the score, its parts and their reasons."""

    permission_classes = [IsAuthenticated, HasRole]
    allowed_roles = (Role.PROVIDER, Role.BUYER)

    @extend_schema(
        parameters=[
            OpenApiParameter("buyer", int, description="required for providers"),
            OpenApiParameter("limit", int, description=f"1..{MAX_LIMIT}, default 20"),
        ],
        responses=page_schema("PaginatedRecommendationList", RecommendationSerializer(many=True)),
    )
    def get(self, request):
        params = query(request, "" if request.user.role == Role.BUYER else "buyer")
        organisation = request.user.organisation
        buyer = selectors.roster_buyer(organisation=organisation, buyer_id=params.get("buyer"))
        ranked = selectors.recommendations_for(
            organisation=organisation, buyer=buyer, limit=params["limit"]
        )
        return page(RecommendationSerializer(ranked, many=True).data)


class BuyerRecommendationsView(APIView):
    """Buyers ranked for an enrollment (the campaign's provider or the merchant asks)."""

    permission_classes = [IsAuthenticated, HasRole]
    allowed_roles = (Role.PROVIDER, Role.MERCHANT)

    @extend_schema(
        parameters=[
            OpenApiParameter("enrollment", int, required=True),
            OpenApiParameter("limit", int, description=f"1..{MAX_LIMIT}, default 20"),
        ],
        responses=page_schema(
            "PaginatedBuyerRecommendationList", BuyerRecommendationSerializer(many=True)
        ),
    )
    def get(self, request):
        params = query(request, "enrollment")
        enrollment = selectors.reverse_enrollment(
            organisation=request.user.organisation, enrollment_id=params["enrollment"]
        )
        ranked = selectors.recommend_buyers_for_enrollment(
            enrollment=enrollment,
            buyers=selectors.reverse_buyers(enrollment=enrollment),
            limit=params["limit"],
        )
        rows = [{"buyer": buyer, "rec": rec} for buyer, rec in ranked]
        return page(BuyerRecommendationSerializer(rows, many=True).data)
