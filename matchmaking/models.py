from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation
from merchants.models import Category, Product

RATE = {"max_digits": 5, "decimal_places": 4}
MAX_MIN_COMMISSION = Decimal("0.5000")
MAX_CAMPAIGN_SERVICE_FEE = Decimal("0.4000")
MAX_COMMISSION = Decimal("0.8000")
MAX_TOTAL_RATE = Decimal("0.9000")
SECOND_LEVEL_SHARE = Decimal("0.9000")
MAX_PROMOTION_DAYS = 360
# A change request the provider has not decided within this is accepted (DESIGN.md).
DECISION_PERIOD = timedelta(days=7)


class Campaign(models.Model):
    """A service provider's campaign (团长活动) that merchants enroll products into."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("campaign status", "Open")
        ONGOING = "ongoing", _("Ongoing")
        CLOSED = "closed", _("Closed")

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(_("name"), max_length=160)
    categories = models.ManyToManyField(Category, blank=True, related_name="campaigns")
    registration_start = models.DateField(_("registration start"))
    registration_end = models.DateField(_("registration end"))
    promotion_start = models.DateField(_("promotion start"))
    promotion_end = models.DateField(_("promotion end"))
    min_commission_rate = models.DecimalField(_("minimum commission rate"), **RATE)
    service_fee_rate = models.DecimalField(_("service-fee rate"), **RATE)
    min_merchant_rating = models.DecimalField(
        _("minimum merchant rating"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    settlement_delay_days = models.PositiveSmallIntegerField(
        _("settlement delay (days)"), default=15
    )
    attribution_window_days = models.PositiveSmallIntegerField(
        _("attribution window (days)"), default=7
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_paths = ("provider",)

    class Meta:
        ordering = ["-promotion_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    min_commission_rate__gte=0, min_commission_rate__lte=MAX_MIN_COMMISSION
                ),
                name="campaign_min_commission_at_most_50pct",
            ),
            models.CheckConstraint(
                condition=Q(
                    service_fee_rate__gte=0, service_fee_rate__lte=MAX_CAMPAIGN_SERVICE_FEE
                ),
                name="campaign_service_fee_at_most_40pct",
            ),
            models.CheckConstraint(
                condition=Q(min_commission_rate__lte=MAX_TOTAL_RATE - F("service_fee_rate")),
                name="campaign_rates_sum_at_most_90pct",
            ),
            models.CheckConstraint(
                condition=Q(registration_start__lte=F("registration_end")),
                name="campaign_registration_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(promotion_start__lte=F("promotion_end")),
                name="campaign_promotion_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "ongoing", "closed"]),
                name="campaign_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "promotion_start", "promotion_end"])]

    def __str__(self) -> str:
        return self.name


class Enrollment(models.Model):
    """A merchant's product in a campaign (报名), at a commission and a service fee.

    A second-level enrollment re-offers an approved first-level one through
    another provider's campaign: ``parent`` points at the first level, and its
    ``service_fee_rate`` is the second level's rate, out of the first's fee.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        TERMINATED = "terminated", _("Terminated")
        EXPIRED = "expired", _("Expired")

    class Reason(models.TextChoices):
        RATE_TOO_LOW = "rate_too_low", _("Commission too low")
        PRICE_NOT_COMPETITIVE = "price_not_competitive", _("Price not competitive")
        STOCK_TOO_LOW = "stock_too_low", _("Not enough stock")
        CATEGORY_MISMATCH = "category_mismatch", _("Does not fit the campaign")
        QUALITY = "quality", _("Quality or compliance concerns")
        OTHER = "other", _("Other")
        # Not a rejection: an approved enrollment sent back to review by the product's change.
        STOREFRONT_CHANGED = "storefront_changed", _("The storefront moved to another domain")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="enrollments")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="enrollments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="second_levels"
    )
    commission_rate = models.DecimalField(_("commission rate"), **RATE)
    service_fee_rate = models.DecimalField(_("service-fee rate"), **RATE)
    campaign_price = models.DecimalField(_("campaign price"), max_digits=12, decimal_places=2)
    promotion_stock = models.IntegerField(_("promotion stock"))
    min_followers = models.PositiveIntegerField(_("minimum followers"), default=0)
    auto_approve_samples = models.BooleanField(
        _("approve sample requests automatically"), default=False
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=32, choices=Reason.choices, blank=True)
    reason_text = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Where its links lead: the product's storefront URL as the provider approved it. A move
    # to another domain sends the enrollment back to review and links keep this meanwhile.
    reviewed_storefront_url = models.URLField(max_length=500, blank=True)
    # When it stopped being approved (terminated, expired, sent back to review): orders paid
    # before still earn, orders paid after do not.
    promotion_ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    organisation_paths = ("product__merchant", "campaign__provider", "parent__campaign__provider")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_rate__gte=0, commission_rate__lte=MAX_COMMISSION),
                name="enrollment_commission_at_most_80pct",
            ),
            models.CheckConstraint(
                condition=Q(service_fee_rate__gte=0)
                & Q(commission_rate__lte=MAX_TOTAL_RATE - F("service_fee_rate")),
                name="enrollment_rates_sum_at_most_90pct",
            ),
            models.CheckConstraint(
                condition=Q(service_fee_rate__lte=MAX_CAMPAIGN_SERVICE_FEE),
                name="enrollment_service_fee_at_most_40pct",
            ),
            models.CheckConstraint(
                condition=Q(promotion_stock__gte=0), name="enrollment_promotion_stock_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(campaign_price__gt=0), name="enrollment_campaign_price_positive"
            ),
            models.UniqueConstraint(
                fields=["campaign", "product"],
                condition=Q(status__in=["pending", "approved"]),
                name="one_live_enrollment_per_product_and_campaign",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["product", "status"]),
            # The buyer catalogue's default sort: commission in money, approved rows only.
            models.Index(
                (F("campaign_price") * F("commission_rate")).desc(),
                F("id").desc(),
                condition=Q(status="approved"),
                name="enrollment_approved_money_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} in {self.campaign}"

    @property
    def is_second_level(self) -> bool:
        return self.parent_id is not None


class EnrollmentRate(models.Model):
    """The rate history of an enrollment.

    ``effective_at`` is when the rate applies to buyers who start promoting
    after it; ``effective_for_existing_at`` is when it reaches buyers already
    promoting (30 days later for a commission decrease, at once otherwise).
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="rates")
    commission_rate = models.DecimalField(**RATE)
    service_fee_rate = models.DecimalField(**RATE)
    effective_at = models.DateTimeField()
    effective_for_existing_at = models.DateTimeField()
    change_request = models.OneToOneField(
        "ChangeRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="rate"
    )

    organisation_paths = ("enrollment__product__merchant", "enrollment__campaign__provider")

    class Meta:
        ordering = ["enrollment", "-effective_at"]
        indexes = [models.Index(fields=["enrollment", "effective_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_for_existing_at__gte=F("effective_at")),
                name="rate_reaches_existing_buyers_no_earlier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.commission_rate} from {self.effective_at:%Y-%m-%d}"


class ChangeRequest(models.Model):
    """After approval, a merchant asks for a new rate or a cancellation; the provider decides."""

    class Kind(models.TextChoices):
        RATE_CHANGE = "rate_change", _("Rate change")
        CANCELLATION = "cancellation", _("Cancellation")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="change_requests"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    commission_rate = models.DecimalField(null=True, blank=True, **RATE)
    service_fee_rate = models.DecimalField(null=True, blank=True, **RATE)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Why the provider rejected it, shown to the merchant.
    reason = models.CharField(max_length=500, blank=True)
    auto_accepted = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_paths = ("enrollment__product__merchant", "enrollment__campaign__provider")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(status="pending"),
                name="one_pending_change_request_per_enrollment",
            ),
            models.CheckConstraint(
                condition=Q(kind="cancellation") | Q(commission_rate__isnull=False),
                name="rate_change_names_a_rate",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.enrollment_id}"


class RosterMembership(models.Model):
    """A buyer on a service provider's roster: invited by the provider, accepted by the buyer."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", pgettext_lazy("roster status", "Active")
        ENDED = "ended", _("Ended")

    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roster")
    buyer = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="providers_roster"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INVITED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    organisation_paths = ("provider", "buyer")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "buyer"],
                condition=Q(status__in=["invited", "active"]),
                name="one_live_roster_membership_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["buyer", "status"])]

    def __str__(self) -> str:
        return f"{self.buyer} on {self.provider}'s roster"


class Assortment(models.Model):
    """A provider's curated, ordered list of approved enrollments (选品池), shared with buyers."""

    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="assortments")
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    buyers = models.ManyToManyField(Organisation, blank=True, related_name="shared_assortments")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    organisation_paths = ("provider", "buyers")

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.name


class AssortmentItem(models.Model):
    assortment = models.ForeignKey(Assortment, on_delete=models.CASCADE, related_name="items")
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="assortment_items"
    )
    position = models.PositiveIntegerField()
    note = models.CharField(_("note"), max_length=500, blank=True)

    organisation_paths = ("assortment__provider", "assortment__buyers")

    class Meta:
        ordering = ["assortment", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assortment", "enrollment"], name="enrollment_once_per_assortment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assortment_id}#{self.position}"


class MatchProposal(models.Model):
    """A provider proposes an enrollment to a buyer on its roster; accepted ones join an
    assortment shared with that buyer."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    buyer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="proposals")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="proposals")
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    score = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    organisation_paths = ("provider", "buyer")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "enrollment"],
                condition=Q(status="proposed"),
                name="one_open_proposal_per_buyer_and_enrollment",
            ),
        ]
        indexes = [models.Index(fields=["provider", "status"])]

    def __str__(self) -> str:
        return f"{self.enrollment_id} -> {self.buyer_id} ({self.status})"


class RecommendationScore(models.Model):
    """A precomputed score of an enrollment for a roster buyer (nightly task), with its parts."""

    buyer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(max_digits=5, decimal_places=4)
    parts = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    organisation_paths = ("buyer", "enrollment__campaign__provider")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["buyer", "enrollment"], name="one_score_per_pair"),
        ]
        indexes = [models.Index(fields=["buyer", "-score"])]

    def __str__(self) -> str:
        return f"{self.buyer_id}/{self.enrollment_id}: {self.score}"
