import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    MERCHANT = "merchant", _("Merchant")
    BUYER = "buyer", _("Buyer")
    PROVIDER = "provider", _("Service provider")


OPERATOR = "operator"
# The roles of member organisations (the operator is staff, of none).
MEMBERS = (Role.MERCHANT, Role.BUYER, Role.PROVIDER)


class Organisation(models.Model):
    """A merchant, buyer or service-provider company; every query is scoped to one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        ACTIVE = "active", pgettext_lazy("organisation status", "Active")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    organisation_paths = ("self",)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "role", name="organisation_name_unique_per_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="organisation_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "active", "suspended"]),
                name="organisation_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["role", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class User(AbstractUser):
    """A person. Members belong to exactly one organisation; operators (staff) to none."""

    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )

    organisation_paths = ("organisation",)

    @property
    def role(self) -> str | None:
        if self.organisation_id:
            return self.organisation.role
        return OPERATOR if self.is_staff else None

    @property
    def is_operator(self) -> bool:
        return self.is_staff and not self.organisation_id


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """A member asks a teammate to join the organisation; the link signs them up into it."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("invitation status", "Open")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    organisation_paths = ("organisation",)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=models.Q(status="open"),
                name="one_open_invitation_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation.name}"
