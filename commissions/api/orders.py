"""Orders API: merchants, buyers and providers each read theirs; merchants import the
storefront's order export as CSV."""

from functools import partial

from django_filters.rest_framework import DjangoFilterBackend

from accounts.models import Role
from accounts.viewsets import ScopedReadOnlyViewSet
from commissions import order_csv, tasks
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
from core.import_views import csv_import_action, import_response

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

    @csv_import_action(
        upload=OrderImportUploadSerializer,
        done=OrderImportResultSerializer,
        queued=OrderImportQueuedSerializer,
        rejected=OrderImportErrorsSerializer,
        rejected_description="Every bad row; nothing applied.",
    )
    def import_csv(self, request):
        """Apply the storefront's order export: all orders or none; the same file twice
        changes nothing."""
        return import_response(
            request,
            importer=partial(order_csv.import_orders, enqueue=tasks.run_order_import.delay),
            detail_route="order-import-detail",
            summary=lambda done: {"orders": done.orders, "applied_events": done.applied_events},
        )


class OrderImportViewSet(ScopedReadOnlyViewSet):
    """Large order CSV imports running in the background: status, progress, every bad row."""

    queryset = OrderImport.objects.all()
    serializer_class = OrderImportSerializer
    allowed_roles = (Role.MERCHANT,)
    filter_backends: list = []

    def get_queryset(self):
        return imports_of(merchant=self.request.user.organisation)
