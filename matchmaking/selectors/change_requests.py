"""Reads of change requests and rate histories, scoped through ``visible_to``."""

from datetime import datetime
from math import ceil

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Organisation
from accounts.scoping import visible_to
from matchmaking.models import DECISION_PERIOD, ChangeRequest, Enrollment, EnrollmentRate

RELATED = (
    "enrollment__product__merchant",
    "enrollment__campaign__provider",
    "requested_by",
    "decided_by",
)


def change_requests_for(
    *, organisation: Organisation | None, status: str | None = None
) -> QuerySet[ChangeRequest]:
    """The merchant's own requests and those on the provider's campaigns, newest first."""
    change_requests = visible_to(ChangeRequest.objects.select_related(*RELATED), organisation)
    return change_requests.filter(status=status) if status else change_requests


def pending_change_requests_for_provider(
    *, organisation: Organisation | None
) -> QuerySet[ChangeRequest]:
    """The provider's queue: requests waiting on its campaigns, the most urgent first."""
    return (
        change_requests_for(organisation=organisation, status=ChangeRequest.Status.PENDING)
        .filter(enrollment__campaign__provider=organisation)
        .order_by("created_at", "id")
    )


def auto_accept_at(change_request: ChangeRequest) -> datetime | None:
    """When the beat task accepts a request still undecided; None once decided."""
    if change_request.status != ChangeRequest.Status.PENDING:
        return None
    return change_request.created_at + DECISION_PERIOD


def days_left(change_request: ChangeRequest, *, now: datetime | None = None) -> int:
    """Whole days (rounded up) before a pending request is accepted automatically."""
    remaining = change_request.created_at + DECISION_PERIOD - (now or timezone.now())
    return max(0, ceil(remaining.total_seconds() / 86400))


def changeable_enrollments(*, organisation: Organisation | None) -> QuerySet[Enrollment]:
    """A merchant's approved enrollments: the ones it may ask to change."""
    if organisation is None:
        return Enrollment.objects.none()
    return (
        visible_to(Enrollment.objects.select_related("product", "campaign"), organisation)
        .filter(status=Enrollment.Status.APPROVED, product__merchant=organisation)
        .order_by("product__title", "campaign__name", "id")
    )


def visible_enrollments(*, organisation: Organisation | None) -> QuerySet[Enrollment]:
    return visible_to(
        Enrollment.objects.select_related("product__merchant", "campaign__provider"), organisation
    )


def enrollment_rates_for(
    *, organisation: Organisation | None, enrollment_id: int | None = None
) -> QuerySet[EnrollmentRate]:
    """Rate history rows the caller may see, newest first; optionally of one enrollment."""
    rates = visible_to(EnrollmentRate.objects.select_related("change_request"), organisation)
    if enrollment_id is not None:
        rates = rates.filter(enrollment_id=enrollment_id)
    return rates.order_by("enrollment_id", "-effective_at", "-id")
