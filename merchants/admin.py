from django.contrib import admin

from merchants.models import Category, MerchantProfile, Product, ProductImport, StorefrontDomain


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_zh", "parent", "position"]
    list_filter = ["parent"]
    search_fields = ["slug", "name_en", "name_zh"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "sku",
        "title",
        "merchant",
        "category",
        "price",
        "stock",
        "sample_stock",
        "status",
    ]
    list_filter = ["status", "category"]
    search_fields = ["sku", "title", "brand", "merchant__name"]
    list_select_related = ["merchant", "category"]
    raw_id_fields = ["merchant"]


@admin.register(ProductImport)
class ProductImportAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "merchant",
        "filename",
        "status",
        "processed_rows",
        "total_rows",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["filename", "merchant__name"]
    list_select_related = ["merchant"]
    exclude = ["content"]
    readonly_fields = ["errors"]


@admin.register(MerchantProfile)
class MerchantProfileAdmin(admin.ModelAdmin):
    list_display = ["organisation", "rating"]
    list_filter = ["rating"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation"]


@admin.register(StorefrontDomain)
class StorefrontDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "merchant", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["domain", "merchant__name"]
    list_select_related = ["merchant"]
    raw_id_fields = ["merchant"]
