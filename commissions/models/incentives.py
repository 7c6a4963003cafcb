"""Operator incentive programmes for service providers, paid monthly."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from commissions.models.ledger import LedgerTransaction
from commissions.models.money import MONEY


class IncentiveProgramme(models.Model):
    class Kind(models.TextChoices):
        CASH = "cash", _("Cash bonus")
        TRAFFIC = "traffic", _("Traffic credits")

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="incentive_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IncentiveTier(models.Model):
    """Reaching ``min_gmv`` of settled GMV in a month earns ``reward`` (yuan or credits)."""

    programme = models.ForeignKey(
        IncentiveProgramme, on_delete=models.CASCADE, related_name="tiers"
    )
    min_gmv = models.DecimalField(**MONEY)
    reward = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["programme", "min_gmv"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "min_gmv"], name="one_tier_per_threshold"),
            models.CheckConstraint(condition=Q(min_gmv__gte=0, reward__gt=0), name="tier_positive"),
        ]

    def __str__(self) -> str:
        return f">= {self.min_gmv}: {self.reward}"


class IncentivePayment(models.Model):
    """What one provider earned from one programme in one month; unique, so paying twice fails."""

    programme = models.ForeignKey(
        IncentiveProgramme, on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="incentives")
    month = models.DateField(help_text=_("First day of the month."))
    settled_gmv = models.DecimalField(**MONEY)
    reward = models.DecimalField(**MONEY)
    transaction = models.OneToOneField(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="incentive"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_paths = ("provider",)

    class Meta:
        ordering = ["-month", "provider"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "provider", "month"], name="one_incentive_per_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.month:%Y-%m} {self.provider}"
