"""Storefront orders, their events in time order, and how each line was attributed."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from commissions.models.tracking import AffiliateLink, Click
from core.models import ImportJob
from merchants.models import Product

MONEY = {"max_digits": 12, "decimal_places": 2}


class Order(models.Model):
    """An order of the storefront, rebuilt from its events whatever order they arrived in."""

    class Status(models.TextChoices):
        PAID = "paid", _("Paid")
        CONFIRMED = "confirmed", _("Confirmed")
        SETTLED = "settled", _("Settled")
        REFUNDED = "refunded", _("Refunded")
        CANCELLED = "cancelled", _("Cancelled")

    external_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PAID)
    click_id = models.CharField(max_length=32, blank=True)
    link_code = models.CharField(max_length=16, blank=True)
    merchant = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    organisation_paths = (
        "merchant",
        "lines__link__buyer",
        "lines__link__enrollment__campaign__provider",
    )

    class Meta:
        ordering = ["-paid_at", "-id"]
        indexes = [models.Index(fields=["status", "confirmed_at"])]

    def __str__(self) -> str:
        return self.external_id


class OrderLine(models.Model):
    class Unattributed(models.TextChoices):
        NO_CLICK = "no_click", _("No click or link code on the order")
        UNKNOWN_CLICK = "unknown_click", _("Click id not found (yet)")
        UNKNOWN_LINK = "unknown_link", _("Link code not found")
        OUTSIDE_WINDOW = "outside_window", _("Click outside the campaign's attribution window")
        SKU_MISMATCH = "sku_mismatch", _("SKU is not the linked product")
        NOT_PROMOTABLE = "not_promotable", _("The campaign was not running when it was paid")
        ENROLLMENT_ENDED = "enrollment_ended", _("The enrollment had ended when it was paid")
        PRODUCT_ARCHIVED = "product_archived", _("The merchant archived the product")
        LINK_AFTER_PAYMENT = "link_after_payment", _("The link was made after the payment")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(_("paid amount"), **MONEY)
    refunded_amount = models.DecimalField(default=0, **MONEY)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="order_lines"
    )
    link = models.ForeignKey(
        AffiliateLink, null=True, blank=True, on_delete=models.PROTECT, related_name="order_lines"
    )
    click = models.ForeignKey(
        Click, null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    attributed_at = models.DateTimeField(null=True, blank=True)
    unattributed_reason = models.CharField(max_length=20, choices=Unattributed.choices, blank=True)
    attribution_attempts = models.PositiveSmallIntegerField(default=0)

    organisation_paths = (
        "order__merchant",
        "link__buyer",
        "link__enrollment__campaign__provider",
    )

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "position"], name="order_line_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="order_line_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("amount")),
                name="order_line_refund_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["link", "order"]),
            models.Index(
                fields=["id"], condition=Q(link__isnull=True), name="order_line_unattributed_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.position} {self.sku}"

    @property
    def net_amount(self):
        return self.amount - self.refunded_amount


class OrderEvent(models.Model):
    """One storefront event; ``event_id`` is unique, so the same event twice changes nothing."""

    class Type(models.TextChoices):
        PAID = "order.paid", _("Paid")
        CONFIRMED = "order.confirmed", _("Confirmed")
        REFUNDED = "order.refunded", _("Refunded")
        CANCELLED = "order.cancelled", _("Cancelled")

    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        CSV = "csv", _("CSV import")

    event_id = models.CharField(max_length=100, unique=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=Type.choices)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    payload = models.JSONField()

    organisation_paths = ("order__merchant",)

    class Meta:
        ordering = ["order", "occurred_at", "id"]

    def __str__(self) -> str:
        return self.event_id


class OrderImport(ImportJob):
    """One storefront order CSV: its events applied once, however often it is uploaded."""

    merchant = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="order_imports"
    )
    applied_events = models.PositiveIntegerField(default=0)

    class Meta(ImportJob.Meta):
        # The sweeper looks for imports stuck in a status for too long, every few minutes.
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"order import {self.pk} ({self.status})"
