from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation
from core.models import ImportJob


class Category(models.Model):
    """A node of the product category tree, named by slug in the API and CSV."""

    slug = models.SlugField(max_length=60, unique=True)
    name_en = models.CharField(max_length=80)
    name_zh = models.CharField(max_length=80)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.slug

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", pgettext_lazy("product status", "Active")
        ARCHIVED = "archived", _("Archived")

    merchant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="products")
    sku = models.CharField(_("SKU"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    stock = models.IntegerField(_("stock"), default=0)
    sample_stock = models.IntegerField(_("sample stock"), default=0)
    storefront_url = models.URLField(_("storefront URL"), max_length=500)
    image_url = models.URLField(_("image URL"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    organisation_paths = ("merchant",)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "sku"], name="product_sku_unique_per_merchant"
            ),
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(sample_stock__gte=0), name="product_sample_stock_not_negative"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "archived"]), name="product_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "status"]),
            models.Index(fields=["category", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.title}"


class StorefrontDomain(models.Model):
    """A host name the merchant sells on: once it declares any, storefront addresses must be on
    one of them or below (shop.example.com covers m.shop.example.com)."""

    merchant = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="storefront_domains"
    )
    domain = models.CharField(_("domain"), max_length=253)
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_paths = ("merchant",)

    class Meta:
        ordering = ["domain", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "domain"], name="storefront_domain_unique_per_merchant"
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class ProductImport(ImportJob):
    """One product CSV: created or updated by SKU."""

    merchant = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="imports")
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)

    class Meta(ImportJob.Meta):
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"


class MerchantProfile(models.Model):
    """What providers look at before letting a merchant into a campaign."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="merchant_profile"
    )
    rating = models.DecimalField(
        _("store rating"),
        max_digits=3,
        decimal_places=2,
        default=4.8,
        help_text=_("0.00 to 5.00, from the storefront; set by operators."),
    )

    organisation_paths = ("organisation",)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=0, rating__lte=5), name="merchant_rating_0_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name}: {self.rating}"
