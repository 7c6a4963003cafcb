from functools import partial

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Role
from accounts.viewsets import ScopedGenericViewSet, ScopedModelViewSet, ScopedReadOnlyViewSet
from core.csv_upload import csv_response
from core.import_serializers import ImportErrorsSerializer
from core.import_views import csv_import_action, import_response
from merchants import csv_import, selectors, services, tasks
from merchants.models import Category, Product, ProductImport, StorefrontDomain
from merchants.serializers import (
    CategoryNodeSerializer,
    ImportQueuedSerializer,
    ImportResultSerializer,
    ImportUploadSerializer,
    ProductImportSerializer,
    ProductSerializer,
    StorefrontDomainSerializer,
)

MERCHANTS = (Role.MERCHANT,)


class ProductViewSet(ScopedModelViewSet):
    """A merchant's own products. DELETE archives: products are never deleted, since
    enrollments and orders keep referring to them."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    allowed_roles = MERCHANTS
    filter_backends = [DjangoFilterBackend]
    filterset_class = selectors.ProductFilter

    def base_queryset(self):
        return selectors.product_queryset()

    def perform_create(self, serializer):
        serializer.instance = services.create_product(
            merchant=self.request.user.organisation, values=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_product(
            product_id=serializer.instance.pk,
            merchant=self.request.user.organisation,
            changes=serializer.validated_data,
        )

    def perform_destroy(self, instance):
        if instance.status != Product.Status.ARCHIVED:  # a repeated DELETE stays a 204
            services.archive_product(
                product_id=instance.pk, merchant=self.request.user.organisation
            )

    @extend_schema(request=None, responses={200: ProductSerializer, 409: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        product = services.archive_product(
            product_id=self.get_object().pk, merchant=request.user.organisation
        )
        return Response(self.get_serializer(product).data)

    @csv_import_action(
        upload=ImportUploadSerializer,
        done=ImportResultSerializer,
        queued=ImportQueuedSerializer,
        rejected=ImportErrorsSerializer,
        rejected_description="Every bad row; nothing saved.",
    )
    def import_csv(self, request):
        """Create or update products by SKU from a CSV: all rows or none."""
        return import_response(
            request,
            importer=partial(csv_import.import_products, enqueue=tasks.run_product_import.delay),
            detail_route="product-import-detail",
            summary=lambda done: {"created": done.created, "updated": done.updated},
        )

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY}, filters=True)
    @action(detail=False, methods=["get"], url_path="export")
    def export_csv(self, request):
        """The products (filters apply) in the import's columns; it re-imports unchanged."""
        products = self.filter_queryset(self.get_queryset())
        return csv_response(
            "products.csv", csv_import.COLUMNS, selectors.product_csv_rows(products)
        )


class StorefrontDomainViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ScopedGenericViewSet,
):
    """The host names the merchant sells on. With any declared, every storefront address must
    be on one of them (or below it); the first must cover today's products."""

    queryset = StorefrontDomain.objects.all()
    serializer_class = StorefrontDomainSerializer
    allowed_roles = MERCHANTS

    def perform_create(self, serializer):
        serializer.instance = services.declare_domain(
            merchant=self.request.user.organisation, domain=serializer.validated_data["domain"]
        )

    def perform_destroy(self, instance):
        services.remove_domain(merchant=self.request.user.organisation, domain_id=instance.pk)


class ProductImportViewSet(ScopedReadOnlyViewSet):
    """Large CSV imports running in the background: status, progress and every bad row."""

    queryset = ProductImport.objects.all()
    serializer_class = ProductImportSerializer
    allowed_roles = MERCHANTS

    def base_queryset(self):
        return ProductImport.objects.defer("content")


class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The category tree, for any signed-in user; categories are named by slug everywhere."""

    permission_classes = [IsAuthenticated]
    queryset = Category.objects.all()
    serializer_class = CategoryNodeSerializer
    pagination_class = None
    filter_backends: list = []

    def list(self, request, *args, **kwargs):
        return Response(CategoryNodeSerializer(selectors.category_tree(), many=True).data)
