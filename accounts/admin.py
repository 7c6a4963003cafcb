from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.forms import MemberPasswordChangeForm
from accounts.models import Invitation, Organisation, User
from core.errors import DomainError


class MemberInline(admin.TabularInline):
    model = User
    fields = ["username", "email", "is_active", "last_login"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "status", "created_at", "approved_at"]
    list_filter = ["role", "status"]
    search_fields = ["name", "members__username", "members__email"]
    readonly_fields = ["created_at", "approved_at", "approved_by"]
    inlines = [MemberInline]
    actions = ["approve_providers"]

    @admin.action(description=_("Approve selected pending service providers"))
    def approve_providers(self, request, queryset):
        approved, refused = 0, []
        for organisation in queryset:
            try:
                services.approve_provider(organisation_id=organisation.pk, by=request.user)
                approved += 1
            except (DomainError, Organisation.DoesNotExist):
                refused.append(organisation.name)
        if approved:
            self.message_user(request, _("Approved %d provider(s).") % approved, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                _("Not pending providers, left unchanged: %s") % ", ".join(refused),
                messages.WARNING,
            )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "organisation", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active", "organisation__role"]
    search_fields = ["username", "email", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    change_password_form = MemberPasswordChangeForm
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ["organisation"]}),
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "status", "created_at", "expires_at"]
    list_filter = ["status", "organisation__role"]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation"]
    readonly_fields = ["token", "created_at"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by"]
