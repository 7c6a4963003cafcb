from django.contrib import admin

from matchmaking.models import (
    Assortment,
    AssortmentItem,
    Campaign,
    ChangeRequest,
    Enrollment,
    EnrollmentRate,
    MatchProposal,
    RecommendationScore,
    RosterMembership,
)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "status", "promotion_start", "promotion_end",
                    "min_commission_rate", "service_fee_rate"]  # fmt: skip
    list_filter = ["status", "categories"]
    search_fields = ["name", "provider__name"]
    list_select_related = ["provider"]
    date_hierarchy = "promotion_start"


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["id", "product", "campaign", "status", "commission_rate", "service_fee_rate",
                    "campaign_price", "promotion_stock"]  # fmt: skip
    list_filter = ["status", "campaign__status"]
    search_fields = ["product__sku", "product__title", "campaign__name", "product__merchant__name"]
    list_select_related = ["product", "campaign"]
    raw_id_fields = ["product", "campaign", "parent"]


@admin.register(EnrollmentRate)
class EnrollmentRateAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "commission_rate", "service_fee_rate", "effective_at",
                    "effective_for_existing_at"]  # fmt: skip
    list_filter = ["effective_at"]
    search_fields = ["enrollment__product__sku"]
    raw_id_fields = ["enrollment", "change_request"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "enrollment", "kind", "status", "commission_rate", "created_at"]
    list_filter = ["kind", "status", "auto_accepted"]
    search_fields = ["enrollment__product__sku", "enrollment__campaign__name"]
    raw_id_fields = ["enrollment"]


@admin.register(RosterMembership)
class RosterMembershipAdmin(admin.ModelAdmin):
    list_display = ["provider", "buyer", "status", "created_at", "accepted_at", "ended_at"]
    list_filter = ["status"]
    search_fields = ["provider__name", "buyer__name"]
    list_select_related = ["provider", "buyer"]


class AssortmentItemInline(admin.TabularInline):
    model = AssortmentItem
    raw_id_fields = ["enrollment"]
    extra = 0


@admin.register(Assortment)
class AssortmentAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "updated_at"]
    list_filter = ["updated_at"]
    search_fields = ["name", "provider__name"]
    filter_horizontal = ["buyers"]
    inlines = [AssortmentItemInline]


@admin.register(AssortmentItem)
class AssortmentItemAdmin(admin.ModelAdmin):
    list_display = ["assortment", "position", "enrollment", "note"]
    list_filter = ["assortment__provider"]
    search_fields = ["assortment__name", "note"]
    raw_id_fields = ["assortment", "enrollment"]


@admin.register(MatchProposal)
class MatchProposalAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "provider", "buyer", "status", "score", "created_at"]
    list_filter = ["status"]
    search_fields = ["provider__name", "buyer__name", "enrollment__product__title"]
    raw_id_fields = ["enrollment", "provider", "buyer"]


@admin.register(RecommendationScore)
class RecommendationScoreAdmin(admin.ModelAdmin):
    list_display = ["buyer", "enrollment", "score", "computed_at"]
    list_filter = ["computed_at"]
    search_fields = ["buyer__name", "enrollment__product__title"]
    raw_id_fields = ["buyer", "enrollment"]
