from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError

from accounts.models import Role
from accounts.viewsets import ScopedGenericViewSet
from core.fields import parse_id
from core.money import money
from influencers.selectors.catalogue import SORTS, CatalogueFilters, catalogue
from matchmaking.models import Enrollment


class CatalogueItemSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    title = serializers.CharField(source="product.title")
    brand = serializers.CharField(source="product.brand")
    category = serializers.CharField(source="product.category.slug")
    image_url = serializers.CharField(source="product.image_url")
    provider = serializers.CharField(source="campaign.provider.name")
    campaign_name = serializers.CharField(source="campaign.name")
    promotion_end = serializers.DateField(source="campaign.promotion_end")
    commission = serializers.SerializerMethodField()
    stock_left = serializers.IntegerField(source="promotion_stock")
    sample_available = serializers.SerializerMethodField()
    has_open_sample = serializers.BooleanField()

    class Meta:
        model = Enrollment
        fields = [
            "id", "sku", "title", "brand", "category", "image_url", "provider", "campaign",
            "campaign_name", "promotion_end", "campaign_price", "commission_rate", "commission",
            "stock_left", "sample_available", "has_open_sample",
        ]  # fmt: skip

    def get_commission(self, enrollment) -> str:
        return str(money(enrollment.commission_amount))

    def get_sample_available(self, enrollment) -> bool:
        return enrollment.product.sample_stock > 0


def decimal_param(params, name):
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except ArithmeticError as exc:
        raise ValidationError({name: ["Give a number."]}) from exc


def int_param(params, name):
    value = params.get(name)
    if value in (None, ""):
        return None
    number = parse_id(value)  # ASCII digits within the 64-bit range ("²" is a digit to Python)
    if number is None:
        raise ValidationError({name: ["Give a whole number."]})
    return number


@extend_schema(
    parameters=[
        OpenApiParameter("category", str),
        OpenApiParameter("min_price", str),
        OpenApiParameter("max_price", str),
        OpenApiParameter("min_commission_rate", str),
        OpenApiParameter("min_stock", int),
        OpenApiParameter("campaign", int),
        OpenApiParameter("search", str),
        OpenApiParameter("sort", str, enum=list(SORTS)),
    ]
)
class CatalogueViewSet(mixins.ListModelMixin, ScopedGenericViewSet):
    """What the calling buyer may promote now: shared assortments and its roster's campaigns."""

    serializer_class = CatalogueItemSerializer
    allowed_roles = (Role.BUYER,)
    queryset = Enrollment.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        filters = CatalogueFilters(
            category=params.get("category") or None,
            min_price=decimal_param(params, "min_price"),
            max_price=decimal_param(params, "max_price"),
            min_commission_rate=decimal_param(params, "min_commission_rate"),
            min_stock=int_param(params, "min_stock"),
            campaign=int_param(params, "campaign"),
            search=params.get("search") or None,
            sort=params.get("sort") or "commission",
        )
        return catalogue(buyer=self.request.user.organisation, filters=filters)
