"""The permission layer every API viewset and portal view goes through.

- Roles: a view names ``allowed_roles`` (who may use it at all) and may
  name ``write_roles`` (who may change things); anyone else gets 403.
- Organisation status: a pending or suspended organisation reads but does
  not write (403 with the reason).
- Objects: querysets come from ``accounts.scoping.visible_to``, so another
  organisation's object is simply not found (404).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import OPERATOR

PENDING_MESSAGE = gettext_lazy("Your organisation is pending approval by an operator.")


def role_allowed(user, roles) -> bool:
    return roles is None or (user.is_authenticated and user.role in roles)


def may_write(user) -> bool:
    if getattr(user, "role", None) == OPERATOR:
        return True
    organisation = getattr(user, "organisation", None)
    return organisation is not None and organisation.is_active


class HasRole(BasePermission):
    message = "Your role cannot use this."

    def has_permission(self, request, view) -> bool:
        roles = getattr(view, "allowed_roles", None)
        if request.method not in SAFE_METHODS:
            roles = getattr(view, "write_roles", None) or roles
        return role_allowed(request.user, roles)


class ActiveOrganisationForWrites(BasePermission):
    message = PENDING_MESSAGE

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS or getattr(view, "writes_without_organisation", False):
            return True
        return may_write(request.user)


class IsOperator(BasePermission):
    message = "Only platform operators can do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user.is_authenticated and request.user.role == OPERATOR)


MEMBER_API_PERMISSIONS = [HasRole, ActiveOrganisationForWrites]


class MemberRequiredMixin(LoginRequiredMixin):
    """Portal views: signed in, of an allowed role, and active to post."""

    allowed_roles: tuple[str, ...] | None = None

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not role_allowed(request.user, self.allowed_roles):
            raise PermissionDenied(_("Your role cannot open this page."))
        if request.method not in SAFE_METHODS and not may_write(request.user):
            raise PermissionDenied(PENDING_MESSAGE)
        return super().dispatch(request, *args, **kwargs)


class OperatorRequiredMixin(MemberRequiredMixin):
    allowed_roles = (OPERATOR,)
