"""The one place that scopes querysets to the caller's organisation.

A model plugs in by declaring ``organisation_paths``: the lookups that lead
from a row to an organisation allowed to see it, e.g. ``("merchant",)`` or
``("product__merchant", "campaign__provider")``. A row is visible when any
path reaches the caller's organisation. ``"self"`` means the row is the
organisation itself. Operators (staff without an organisation) see nothing
here: they work in the Django admin and in the operator endpoints.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet

from accounts.models import Organisation


def visibility_filter(model: type[Model], organisation: Organisation) -> Q:
    paths = getattr(model, "organisation_paths", None)
    if not paths:
        raise ImproperlyConfigured(f"{model.__name__} declares no organisation_paths")
    condition = Q()
    for path in paths:
        condition |= Q(pk=organisation.pk) if path == "self" else Q(**{path: organisation})
    return condition


def visible_to(queryset: QuerySet, organisation: Organisation | None) -> QuerySet:
    if organisation is None:
        return queryset.none()
    return queryset.filter(visibility_filter(queryset.model, organisation))
