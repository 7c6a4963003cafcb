"""Orders API: merchants, buyers and providers each read theirs; merchants import the
storefront's order export as CSV."""

from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.models import Role
from accounts.viewsets import ScopedReadOnlyViewSet
from commissions import order_csv
from commissions.api.order_serializers import (
    OrderImportErrorsSerializer,
    OrderImportQueuedSerializer,
    OrderImportResultSerializer,
    OrderImportSerializer,
    OrderImportUploadSerializer,
    OrderSerializer,
)
from commissions.models import Order, OrderImport
from commissions.selectors.orders import OrderFilter, imports_of, orders_for
from core.csv_upload import CsvBodyParser, uploaded_csv_bytes

MEMBERS = (Role.MERCHANT, Role.BUYER, Role.PROVIDER)


class OrderViewSet(ScopedReadOnlyViewSet):
    """Orders: the merchant sees all of its orders and every line with its attribution;
    a buyer or provider the orders attributed to it, with only its own lines."""

    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    allowed_roles = MEMBERS
    write_roles = (Role.MERCHANT,)
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrderFilter

    def get_queryset(self):
        return orders_for(organisation=self.request.user.organisation)

    @extend_schema(
        request={
            "text/csv": OpenApiTypes.BINARY,
            "multipart/form-data": OrderImportUploadSerializer,
        },
        responses={
            200: OrderImportResultSerializer,
            202: OrderImportQueuedSerializer,
            400: OpenApiResponse(
                OrderImportErrorsSerializer, description="Every bad row; nothing applied."
            ),
        },
        filters=False,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[CsvBodyParser, MultiPartParser],
    )
    def import_csv(self, request):
        """Apply the storefront's order export: all orders or none; the same file twice
        changes nothing."""
        content, filename = uploaded_csv_bytes(request.data)
        outcome = order_csv.import_orders(
            merchant=request.user.organisation, by=request.user, data=content, filename=filename
        )
        if isinstance(outcome, OrderImport):
            url = request.build_absolute_uri(reverse("order-import-detail", args=[outcome.pk]))
            body = {"id": outcome.pk, "status": outcome.status, "url": url}
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return Response({"orders": outcome.orders, "applied_events": outcome.applied_events})


class OrderImportViewSet(ScopedReadOnlyViewSet):
    """Large order CSV imports running in the background: status, progress, every bad row."""

    queryset = OrderImport.objects.all()
    serializer_class = OrderImportSerializer
    allowed_roles = (Role.MERCHANT,)
    filter_backends: list = []

    def get_queryset(self):
        return imports_of(merchant=self.request.user.organisation)
