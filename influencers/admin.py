from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Role
from core.errors import DomainError
from influencers.models import (
    BuyerProfile,
    FollowerVerification,
    LineupSlot,
    Livestream,
    SampleRequest,
)
from influencers.services.follower_checks import check_evidence, verify_followers


@admin.register(BuyerProfile)
class BuyerProfileAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "handle",
        "platform",
        "followers",
        "verified_followers",
        "typical_units_per_livestream",
    ]
    list_filter = ["platform", "categories"]
    search_fields = ["handle", "organisation__name"]
    list_select_related = ["organisation", "follower_verification"]
    readonly_fields = ["verified_followers"]

    @admin.display(description=_("verified followers"))
    def verified_followers(self, profile: BuyerProfile) -> str:
        verification = profile.follower_verification
        if verification is None:
            return "—"
        return f"{verification.followers} ({verification.get_verifier_role_display()}, " + (
            f"{verification.verified_at:%Y-%m-%d})"
        )


class FollowerVerificationForm(forms.ModelForm):
    """An operator records a verified figure, checked as everywhere: a note or an http(s) URL."""

    # Not forms.URLField, which turns "example.com" into "http://example.com": the service decides.
    evidence_url = forms.CharField(
        label=_("evidence URL"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    class Meta:
        model = FollowerVerification
        fields = ["buyer", "followers", "note", "evidence_url"]

    def clean(self):
        data = super().clean()
        try:
            data["note"], data["evidence_url"] = check_evidence(
                note=data.get("note", ""), evidence_url=data.get("evidence_url", "")
            )
        except DomainError as error:
            raise ValidationError({error.field: error.message}) from error
        return data


@admin.register(FollowerVerification)
class FollowerVerificationAdmin(admin.ModelAdmin):
    """Operators verify buyers' follower counts here; the history is kept, never edited."""

    form = FollowerVerificationForm
    list_display = [
        "buyer", "followers", "followers_claimed", "verifier_role", "verifier_organisation",
        "verified_by", "verified_at",
    ]  # fmt: skip
    list_filter = ["verifier_role"]
    search_fields = ["buyer__name", "note", "evidence_url"]
    list_select_related = ["buyer", "verifier_organisation", "verified_by"]
    date_hierarchy = "verified_at"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "buyer":
            kwargs["queryset"] = Organisation.objects.filter(role=Role.BUYER).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_form(self, request, form, change) -> FollowerVerification:
        """The service records the verification (who, role, when, the claim it replaces)."""
        data = form.cleaned_data
        return verify_followers(
            by=request.user,
            buyer_id=data["buyer"].pk,
            followers=data["followers"],
            note=data["note"],
            evidence_url=data["evidence_url"],
        )

    def save_model(self, request, obj, form, change) -> None:
        pass  # saved by save_form through the service

    def save_related(self, request, form, formsets, change) -> None:
        pass  # no many-to-many fields, and the form itself never saved


class LineupSlotInline(admin.TabularInline):
    model = LineupSlot
    raw_id_fields = ["enrollment"]
    extra = 0


@admin.register(Livestream)
class LivestreamAdmin(admin.ModelAdmin):
    list_display = ["title", "buyer", "scheduled_at", "status"]
    list_filter = ["status"]
    search_fields = ["title", "buyer__name"]
    list_select_related = ["buyer"]
    date_hierarchy = "scheduled_at"
    inlines = [LineupSlotInline]


@admin.register(LineupSlot)
class LineupSlotAdmin(admin.ModelAdmin):
    list_display = ["livestream", "position", "role", "enrollment", "target_units"]
    list_filter = ["role"]
    search_fields = ["livestream__title", "enrollment__product__sku"]
    raw_id_fields = ["livestream", "enrollment"]


@admin.register(SampleRequest)
class SampleRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "buyer", "enrollment", "status", "approve_by", "ship_by", "fulfil_by"]
    list_filter = ["status", "extended", "auto_approved"]
    search_fields = ["buyer__name", "enrollment__product__sku", "tracking_number"]
    list_select_related = ["buyer"]
    raw_id_fields = ["enrollment", "livestream"]
