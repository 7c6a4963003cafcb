from django.contrib import admin

from core.models import Heartbeat, Notification


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_at", "count"]
    search_fields = ["name"]
    list_filter = ["seen_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "message", "created_at", "read_at"]
    list_filter = ["kind", "read_at"]
    search_fields = ["message", "organisation__name"]
    list_select_related = ["organisation"]
