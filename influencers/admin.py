from django.contrib import admin

from influencers.models import BuyerProfile, LineupSlot, Livestream, SampleRequest


@admin.register(BuyerProfile)
class BuyerProfileAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "handle",
        "platform",
        "followers",
        "typical_units_per_livestream",
    ]
    list_filter = ["platform", "categories"]
    search_fields = ["handle", "organisation__name"]
    list_select_related = ["organisation"]


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
