from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from matchmaking.models import Enrollment
from merchants.models import Category

MAX_LINEUP_SLOTS = 120


class BuyerProfile(models.Model):
    """What merchants and providers see of a livestream seller."""

    class Platform(models.TextChoices):
        DOUYIN = "douyin", _("Douyin")
        KUAISHOU = "kuaishou", _("Kuaishou")
        XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
        TAOBAO_LIVE = "taobao_live", _("Taobao Live")
        WECHAT_CHANNELS = "wechat_channels", _("WeChat Channels")
        OTHER = "other", _("Other")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="buyer_profile"
    )
    handle = models.CharField(_("handle"), max_length=80, blank=True)
    platform = models.CharField(
        _("platform"), max_length=20, choices=Platform.choices, default=Platform.DOUYIN
    )
    followers = models.PositiveIntegerField(_("followers"), default=0)
    categories = models.ManyToManyField(Category, blank=True, related_name="buyers")
    price_band_min = models.DecimalField(
        _("price band from"), max_digits=12, decimal_places=2, default=0
    )
    price_band_max = models.DecimalField(
        _("price band to"), max_digits=12, decimal_places=2, default=1000
    )
    audience_notes = models.TextField(_("audience notes"), blank=True)
    typical_units_per_livestream = models.PositiveIntegerField(
        _("typical units sold per livestream"), default=100
    )
    # The latest verification of ``followers``; only influencers.services.follower_checks sets it.
    # Rules read the verified figure through it, never the buyer's own claim above.
    follower_verification = models.ForeignKey(
        "FollowerVerification",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    organisation_paths = ("organisation",)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(price_band_min__gte=0, price_band_min__lte=F("price_band_max")),
                name="buyer_price_band_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.handle or self.organisation.name}"

    @property
    def followers_verified(self) -> int:
        """What rules count: the latest verified figure, 0 before any verification."""
        verification = self.follower_verification
        return verification.followers if verification else 0


class FollowerVerification(models.Model):
    """Someone other than the buyer checked its follower count: who, when, and how.

    A history: the buyer's current verified figure is the latest row (BuyerProfile points at it).
    """

    class VerifierRole(models.TextChoices):
        PROVIDER = "provider", _("Service provider")
        OPERATOR = "operator", _("Platform operator")

    buyer = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="follower_verifications"
    )
    followers = models.PositiveIntegerField(_("verified followers"))
    verified_at = models.DateTimeField(_("verified at"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verifier_role = models.CharField(
        _("verifier's role"), max_length=16, choices=VerifierRole.choices
    )
    # The provider that vouched for the figure; none for an operator.
    verifier_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    evidence_url = models.URLField(_("evidence URL"), max_length=500, blank=True)
    # The buyer's claim when it was checked, so a reader sees what was corrected.
    followers_claimed = models.PositiveIntegerField(_("claimed followers"), default=0)

    organisation_paths = ("buyer", "verifier_organisation")

    class Meta:
        ordering = ["-verified_at", "-id"]
        indexes = [models.Index(fields=["buyer", "verified_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(note="") | ~Q(evidence_url=""),
                name="follower_verification_has_note_or_evidence",
            ),
            models.CheckConstraint(
                condition=Q(verifier_role__in=["provider", "operator"]),
                name="follower_verification_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.buyer}: {self.followers} ({self.verifier_role}, {self.verified_at:%Y-%m-%d})"


class Livestream(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")

    buyer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="livestreams")
    title = models.CharField(_("title"), max_length=160)
    scheduled_at = models.DateTimeField(_("scheduled at"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    organisation_paths = ("buyer",)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [models.Index(fields=["buyer", "scheduled_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "confirmed", "live", "ended"]),
                name="livestream_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.status in (self.Status.LIVE, self.Status.ENDED)


class LineupSlot(models.Model):
    class Role(models.TextChoices):
        HERO = "hero", _("Hero")
        TRAFFIC = "traffic", _("Traffic")
        MARGIN = "margin", _("Margin")
        NEW = "new", _("New")

    livestream = models.ForeignKey(Livestream, on_delete=models.CASCADE, related_name="slots")
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="lineup_slots"
    )
    position = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.TRAFFIC)
    minutes = models.PositiveSmallIntegerField(_("planned minutes"), default=5)
    target_units = models.PositiveIntegerField(_("target units"), default=0)

    organisation_paths = ("livestream__buyer",)

    class Meta:
        ordering = ["livestream", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=MAX_LINEUP_SLOTS),
                name="lineup_position_within_120",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.livestream_id}#{self.position}"


OPEN_SAMPLE_STATES = ("requested", "approved", "shipped", "received")


class SampleRequest(models.Model):
    """A buyer asks a merchant for a sample of an enrollment (申样)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SHIPPED = "shipped", _("Shipped")
        RECEIVED = "received", _("Received")
        FULFILLED = "fulfilled", _("Fulfilled")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        OVERDUE = "overdue", _("Overdue")
        UNFULFILLED = "unfulfilled", _("Unfulfilled")

    buyer = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sample_requests"
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="sample_requests"
    )
    livestream = models.ForeignKey(
        Livestream, null=True, blank=True, on_delete=models.SET_NULL, related_name="samples"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(max_length=500, blank=True)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    unit_reserved = models.BooleanField(default=False)
    extended = models.BooleanField(default=False)
    auto_approved = models.BooleanField(default=False)
    approve_by = models.DateTimeField()
    ship_by = models.DateTimeField(null=True, blank=True)
    fulfil_by = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    organisation_paths = (
        "buyer",
        "enrollment__product__merchant",
        "enrollment__campaign__provider",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "enrollment"],
                condition=Q(status__in=OPEN_SAMPLE_STATES),
                name="one_open_sample_request_per_buyer_and_enrollment",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "approve_by"]),
            models.Index(fields=["status", "ship_by"]),
            models.Index(fields=["status", "fulfil_by"]),
            models.Index(fields=["buyer", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"sample {self.pk} ({self.status})"
