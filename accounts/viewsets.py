"""Base viewsets later apps plug their models into."""

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from accounts.permissions import MEMBER_API_PERMISSIONS
from accounts.scoping import visible_to


class OrganisationScopedMixin:
    """Every object comes from ``visible_to``: another organisation's rows answer 404."""

    permission_classes = [IsAuthenticated, *MEMBER_API_PERMISSIONS]
    allowed_roles: tuple[str, ...] | None = None
    write_roles: tuple[str, ...] | None = None

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        return visible_to(self.base_queryset(), self.request.user.organisation)


class ScopedReadOnlyViewSet(OrganisationScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(OrganisationScopedMixin, viewsets.ModelViewSet):
    pass


class ScopedGenericViewSet(OrganisationScopedMixin, viewsets.GenericViewSet):
    pass
