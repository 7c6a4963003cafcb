from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.import_serializers import ImportRowErrorSerializer
from merchants import services
from merchants.models import Category, Product, ProductImport, StorefrontDomain


class CategorySlugField(serializers.SlugRelatedField):
    """A category named by slug, with the same message as the portal and the CSV import."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Category.objects.all(), **kwargs)

    def to_internal_value(self, data):
        slug = str(data).strip().lower()
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise serializers.ValidationError(str(services.UNKNOWN_CATEGORY) % {"slug": slug})
        return category


class ProductSerializer(serializers.ModelSerializer):
    category = CategorySlugField()

    class Meta:
        model = Product
        fields = ["id", *services.PRODUCT_FIELDS]

    def validate_sku(self, value: str) -> str:
        value = value.strip()
        merchant = self.context["request"].user.organisation
        taken = Product.objects.filter(merchant=merchant, sku=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(str(services.SKU_TAKEN))
        return value

    def validate_price(self, value):
        problem = services.price_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_stock(self, value: int) -> int:
        return self.checked_units("stock", value)

    def validate_sample_stock(self, value: int) -> int:
        return self.checked_units("sample_stock", value)

    @staticmethod
    def checked_units(field: str, value: int) -> int:
        problem = services.units_problem(field, value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class CategoryNodeSerializer(serializers.Serializer):
    """A category with its subcategories; ``name`` follows the request's language."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    parent = serializers.SlugField(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["children"] = CategoryNodeSerializer(many=True)
        return fields


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField(help_text="Existing products that changed.")


class ImportQueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ProductImport.Status.choices)
    url = serializers.URLField(help_text="Poll this for progress.")


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The CSV file, with a header row.")


class ProductImportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    errors = serializers.SerializerMethodField()

    class Meta:
        model = ProductImport
        fields = [
            "id",
            "filename",
            "status",
            "total_rows",
            "processed_rows",
            "percent",
            "created_count",
            "updated_count",
            "errors",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ImportRowErrorSerializer(many=True))
    def get_errors(self, product_import: ProductImport) -> list[dict]:
        return product_import.errors


class StorefrontDomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = StorefrontDomain
        fields = ["id", "domain", "created_at"]
        read_only_fields = ["created_at"]
