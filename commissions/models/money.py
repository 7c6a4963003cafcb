"""Commissions: the split of each attributed order line, and the platform's rate."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from commissions.models.orders import Order, OrderLine
from matchmaking.models import Enrollment

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 5, "decimal_places": 4}
DEFAULT_PLATFORM_RATE = Decimal("0.1000")


class PlatformSettings(models.Model):
    """One row: what the operator sets for the whole platform."""

    platform_rate = models.DecimalField(_("platform rate"), default=DEFAULT_PLATFORM_RATE, **RATE)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "platform settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(platform_rate__gte=0, platform_rate__lte=Decimal("0.5000")),
                name="platform_rate_0_to_50pct",
            ),
        ]

    def __str__(self) -> str:
        return f"platform rate {self.platform_rate}"


class Commission(models.Model):
    """The split of one attributed order line (DESIGN.md "Money"), all figures in yuan to the fen.

    ``provider`` is the provider whose campaign the buyer promoted; for a
    second-level line that is the second level, and ``upstream_provider`` is
    the first level, paid the rest of the first level's fee. The ``posted_*``
    figures are what settlement has already written to the ledger: a refund
    after settlement makes the current split differ from them, and the next
    run posts the difference as a clawback.
    """

    class Status(models.TextChoices):
        ESTIMATED = "estimated", _("Estimated")
        SETTLEABLE = "settleable", _("Settleable")
        SETTLED = "settled", _("Settled")
        VOID = "void", _("Void")

    line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="commission")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="commissions")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="commissions")
    merchant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    upstream_provider = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ESTIMATED)
    void_reason = models.CharField(max_length=200, blank=True)

    base_amount = models.DecimalField(**MONEY)
    commission_rate = models.DecimalField(**RATE)
    service_fee_rate = models.DecimalField(**RATE)
    upstream_fee_rate = models.DecimalField(null=True, blank=True, **RATE)
    platform_rate = models.DecimalField(**RATE)

    buyer_gross = models.DecimalField(**MONEY)
    buyer_fee = models.DecimalField(**MONEY)
    buyer_net = models.DecimalField(**MONEY)
    provider_gross = models.DecimalField(**MONEY)
    provider_fee = models.DecimalField(**MONEY)
    provider_net = models.DecimalField(**MONEY)
    upstream_gross = models.DecimalField(default=0, **MONEY)
    upstream_fee = models.DecimalField(default=0, **MONEY)
    upstream_net = models.DecimalField(default=0, **MONEY)
    platform_fee = models.DecimalField(**MONEY)
    merchant_pays = models.DecimalField(**MONEY)

    posted_buyer_net = models.DecimalField(default=0, **MONEY)
    posted_provider_net = models.DecimalField(default=0, **MONEY)
    posted_upstream_net = models.DecimalField(default=0, **MONEY)
    posted_platform_fee = models.DecimalField(default=0, **MONEY)
    posted_merchant_pays = models.DecimalField(default=0, **MONEY)
    revision = models.PositiveIntegerField(default=0, help_text=_("Bumped by every recomputation."))
    posted_revision = models.PositiveIntegerField(default=0)

    earned_at = models.DateTimeField(help_text=_("When the order was paid."))
    settleable_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    organisation_paths = ("merchant", "buyer", "provider", "upstream_provider")

    class Meta:
        ordering = ["-earned_at", "-id"]
        constraints = [
            # Rounded to the fen: exact on PostgreSQL (numeric), and on SQLite, which keeps
            # decimals as binary floats, 10.80 + 5.40 + 1.80 must still equal 18.00.
            models.CheckConstraint(
                condition=Q(
                    merchant_pays=Round(
                        F("buyer_net") + F("provider_net") + F("upstream_net") + F("platform_fee"),
                        2,
                    )
                ),
                name="commission_split_conserves_money",
            ),
            models.CheckConstraint(
                condition=Q(
                    posted_merchant_pays=Round(
                        F("posted_buyer_net")
                        + F("posted_provider_net")
                        + F("posted_upstream_net")
                        + F("posted_platform_fee"),
                        2,
                    )
                ),
                name="commission_posted_conserves_money",
            ),
            models.CheckConstraint(
                condition=Q(base_amount__gte=0), name="commission_base_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "settleable_at"]),
            models.Index(fields=["merchant", "earned_at"]),
            models.Index(fields=["buyer", "earned_at"]),
            models.Index(fields=["provider", "earned_at"]),
        ]

    def __str__(self) -> str:
        return f"commission {self.pk} on line {self.line_id}"
