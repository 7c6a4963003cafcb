from django.contrib import admin

from commissions.models import AffiliateLink, Click, Order, OrderEvent, OrderImport, OrderLine


@admin.register(AffiliateLink)
class AffiliateLinkAdmin(admin.ModelAdmin):
    list_display = ["code", "buyer", "enrollment", "created_at", "expires_at"]
    list_filter = ["expires_at"]
    search_fields = ["code", "buyer__name", "enrollment__product__sku"]
    list_select_related = ["buyer"]
    raw_id_fields = ["buyer", "enrollment"]


@admin.register(Click)
class ClickAdmin(admin.ModelAdmin):
    list_display = ["click_id", "link", "clicked_at", "is_bot", "is_duplicate"]
    list_filter = ["is_bot", "is_duplicate"]
    search_fields = ["click_id", "link__code"]
    raw_id_fields = ["link"]
    date_hierarchy = "clicked_at"


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    raw_id_fields = ["product", "link", "click"]
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["external_id", "status", "merchant", "paid_at", "confirmed_at"]
    list_filter = ["status"]
    search_fields = ["external_id", "click_id", "link_code", "merchant__name"]
    list_select_related = ["merchant"]
    raw_id_fields = ["merchant"]
    inlines = [OrderLineInline]


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin):
    list_display = ["order", "position", "sku", "quantity", "amount", "refunded_amount",
                    "link", "unattributed_reason"]  # fmt: skip
    list_filter = ["unattributed_reason"]
    search_fields = ["sku", "order__external_id"]
    raw_id_fields = ["order", "product", "link", "click"]


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "order", "type", "occurred_at", "source"]
    list_filter = ["type", "source"]
    search_fields = ["event_id", "order__external_id"]
    raw_id_fields = ["order"]


@admin.register(OrderImport)
class OrderImportAdmin(admin.ModelAdmin):
    list_display = ["id", "merchant", "status", "processed_rows", "total_rows", "created_at"]
    list_filter = ["status"]
    search_fields = ["filename", "merchant__name"]
    exclude = ["content"]
