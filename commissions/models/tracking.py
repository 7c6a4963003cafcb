"""Tracked links and their clicks."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from matchmaking.models import Enrollment

LINK_VALIDITY_DAYS = 90


class AffiliateLink(models.Model):
    """One per (buyer, enrollment): ``/l/<code>`` redirects to the storefront with a click id."""

    buyer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="links")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="links")
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    organisation_paths = (
        "buyer",
        "enrollment__product__merchant",
        "enrollment__campaign__provider",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "enrollment"], name="one_link_per_buyer_and_enrollment"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Click(models.Model):
    """A visit of ``/l/<code>``. Bots and 30-second repeats are kept, flagged, and not counted."""

    link = models.ForeignKey(AffiliateLink, on_delete=models.CASCADE, related_name="clicks")
    click_id = models.CharField(max_length=32, unique=True)
    clicked_at = models.DateTimeField()
    ip_hash = models.CharField(
        max_length=64, help_text=_("Salted SHA-256 of the IP; never the IP.")
    )
    user_agent = models.CharField(max_length=300, blank=True)
    referrer = models.CharField(max_length=500, blank=True)
    is_bot = models.BooleanField(default=False)
    is_duplicate = models.BooleanField(default=False)
    # Why the link could not earn when clicked (its enrollment ended, its product archived...):
    # the shopper still reached the storefront, the click is kept and not counted.
    not_promotable = models.CharField(max_length=32, blank=True)

    organisation_paths = (
        "link__buyer",
        "link__enrollment__product__merchant",
        "link__enrollment__campaign__provider",
    )

    class Meta:
        ordering = ["-clicked_at", "-id"]
        indexes = [
            models.Index(fields=["link", "clicked_at"]),
            models.Index(fields=["link", "ip_hash", "clicked_at"]),
            models.Index(
                fields=["link", "clicked_at"],
                condition=Q(is_bot=False, is_duplicate=False),
                name="click_counted_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.click_id

    @property
    def counted(self) -> bool:
        return not (self.is_bot or self.is_duplicate or self.not_promotable)
