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
from django.db.models.constants import LOOKUP_SEP

from accounts.models import Organisation


def crosses_many(model: type[Model], path: str) -> bool:
    """True when a path walks a many-valued relation, where a join would repeat rows."""
    for name in path.split(LOOKUP_SEP):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def visibility_filter(model: type[Model], organisation: Organisation) -> Q:
    paths = getattr(model, "organisation_paths", None)
    if not paths:
        raise ImproperlyConfigured(f"{model.__name__} declares no organisation_paths")
    condition = Q()
    for path in paths:
        if path == "self":
            condition |= Q(pk=organisation.pk)
        elif crosses_many(model, path):
            reachable = model._default_manager.filter(**{path: organisation}).values("pk")
            condition |= Q(pk__in=reachable)
        else:
            condition |= Q(**{path: organisation})
    return condition


def visible_to(queryset: QuerySet, organisation: Organisation | None) -> QuerySet:
    if organisation is None:
        return queryset.none()
    return queryset.filter(visibility_filter(queryset.model, organisation))
