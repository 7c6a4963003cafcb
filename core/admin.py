from django.contrib import admin

from core.models import Heartbeat, Notification


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_at", "count"]
    search_fields = ["name"]
    list_filter = ["seen_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "message", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", "read_at"]
    readonly_fields = ["emailed_at"]  # the mail task's claim: set once, by the task
    search_fields = ["message", "organisation__name"]
    list_select_related = ["organisation"]
