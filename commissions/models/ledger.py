"""The double-entry ledger: accounts, balanced transactions of immutable entries.

Signs: what an organisation has earned is positive, what a merchant owes is
negative; every transaction's entries sum to zero, so the whole ledger does.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from commissions.models.money import MONEY, Commission


class Account(models.Model):
    class Kind(models.TextChoices):
        MERCHANT_PAYABLE = "merchant_payable", _("Merchant payable")
        BUYER_EARNINGS = "buyer_earnings", _("Buyer earnings")
        PROVIDER_FEES = "provider_fees", _("Service-provider fees")
        PLATFORM_REVENUE = "platform_revenue", _("Platform revenue")
        INCENTIVES = "incentives", _("Incentives")
        PAYOUTS = "payouts", _("Payouts")

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts",
        help_text=_("Empty for the platform's own accounts."),
    )  # fmt: skip
    kind = models.CharField(max_length=20, choices=Kind.choices)

    organisation_paths = ("organisation",)

    class Meta:
        ordering = ["organisation_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind"], name="one_account_per_kind_and_organisation"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(organisation__isnull=True),
                name="one_platform_account_per_kind",
            ),
        ]

    def __str__(self) -> str:
        owner = self.organisation.name if self.organisation_id else "platform"
        return f"{owner}: {self.get_kind_display()}"


class SettlementRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    as_of = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True,
        help_text=_("Last progress of the worker; a running run silent for minutes is sent again."),
    )  # fmt: skip
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    settled = models.PositiveIntegerField(default=0)
    clawbacks = models.PositiveIntegerField(default=0)
    voided = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"settlement {self.pk} as of {self.as_of}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 100


class LedgerTransaction(models.Model):
    """A balanced set of entries. ``reference`` is unique: posting the same thing twice fails."""

    class Kind(models.TextChoices):
        SETTLEMENT = "settlement", _("Settlement")
        CLAWBACK = "clawback", _("Clawback")
        INCENTIVE = "incentive", _("Incentive")
        PAYOUT = "payout", _("Payout")
        COLLECTION = "collection", _("Merchant payment")
        CORRECTION = "correction", _("Correction")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    reference = models.CharField(max_length=120, unique=True)
    memo = models.CharField(max_length=300, blank=True)
    commission = models.ForeignKey(
        Commission, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    settlement_run = models.ForeignKey(
        SettlementRun, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField()

    class Meta:
        ordering = ["posted_at", "id"]
        indexes = [models.Index(fields=["kind", "posted_at"])]

    def __str__(self) -> str:
        return self.reference


class LedgerEntry(models.Model):
    """Never updated or deleted (a database trigger refuses it on PostgreSQL)."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField(**MONEY)
    posted_at = models.DateTimeField(help_text=_("Copied from the transaction, for statements."))

    organisation_paths = ("account__organisation",)

    class Meta:
        ordering = ["posted_at", "id"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["account", "posted_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount}"
