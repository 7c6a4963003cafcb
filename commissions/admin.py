from django.contrib import admin

from commissions.models import (
    Account,
    AffiliateLink,
    Click,
    Commission,
    IncentivePayment,
    IncentiveProgramme,
    IncentiveTier,
    LedgerEntry,
    LedgerTransaction,
    Order,
    OrderEvent,
    OrderImport,
    OrderLine,
    PlatformSettings,
    SettlementRun,
)


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


@admin.register(PlatformSettings)
class PlatformSettingsAdmin(admin.ModelAdmin):
    list_display = ["platform_rate", "updated_at", "updated_by"]
    list_filter = ["updated_at"]
    search_fields = ["updated_by__username"]
    readonly_fields = ["updated_at", "updated_by"]


@admin.register(Commission)
class CommissionAdmin(admin.ModelAdmin):
    list_display = ["id", "order", "buyer", "provider", "status", "base_amount", "buyer_net",
                    "provider_net", "platform_fee", "merchant_pays"]  # fmt: skip
    list_filter = ["status"]
    search_fields = ["order__external_id", "line__sku", "buyer__name", "merchant__name"]
    raw_id_fields = ["line", "order", "enrollment", "merchant", "buyer", "provider",
                     "upstream_provider"]  # fmt: skip

    def has_change_permission(self, request, obj=None):
        return False  # money moves through services, never by hand


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "organisation"]
    list_filter = ["kind"]
    search_fields = ["organisation__name"]


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ["account", "amount", "posted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(admin.ModelAdmin):
    list_display = ["reference", "kind", "posted_at", "memo"]
    list_filter = ["kind"]
    search_fields = ["reference", "memo"]
    inlines = [LedgerEntryInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["transaction", "account", "amount", "posted_at"]
    list_filter = ["account__kind"]
    search_fields = ["transaction__reference", "account__organisation__name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SettlementRun)
class SettlementRunAdmin(admin.ModelAdmin):
    list_display = ["id", "as_of", "status", "settled", "clawbacks", "voided", "started_at"]
    list_filter = ["status"]
    search_fields = ["id"]


class IncentiveTierInline(admin.TabularInline):
    model = IncentiveTier
    extra = 1


@admin.register(IncentiveProgramme)
class IncentiveProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "starts_on", "ends_on", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    inlines = [IncentiveTierInline]
    actions = ["pay_last_month"]

    @admin.action(description="Pay incentives for last month now")
    def pay_last_month(self, request, queryset):
        # The monthly beat does this for every programme; paid ones are skipped, never repaid.
        from commissions.selectors.statements import last_month
        from commissions.services.incentives import pay_incentives

        run = pay_incentives(month=last_month(), programmes=queryset)
        self.message_user(
            request,
            f"{run.month:%Y-%m}: {run.paid} cash incentives paid, {run.credited} traffic "
            f"credits recorded, {run.already_paid} paid before.",
        )


@admin.register(IncentiveTier)
class IncentiveTierAdmin(admin.ModelAdmin):
    list_display = ["programme", "min_gmv", "reward"]
    list_filter = ["programme"]
    search_fields = ["programme__name"]


@admin.register(IncentivePayment)
class IncentivePaymentAdmin(admin.ModelAdmin):
    list_display = ["programme", "provider", "month", "settled_gmv", "reward"]
    list_filter = ["programme", "month"]
    search_fields = ["provider__name", "programme__name"]
