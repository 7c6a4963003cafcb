"""Reads of campaigns, and the one definition of a campaign's effective status.

Once opened, a campaign is ongoing from ``promotion_start`` and closed after
``promotion_end`` whatever the beat task has persisted yet, so every reader
goes through ``effective_status`` (one row) or ``effectively`` /
``with_effective_status`` (querysets), never through ``Campaign.status``.
"""

from datetime import date

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Organisation, Role
from accounts.scoping import visible_to
from matchmaking.models import Campaign, Enrollment

Status = Campaign.Status
OPENED = (Status.OPEN, Status.ONGOING)


def effective_status(campaign: Campaign, today: date | None = None) -> str:
    """The status a user sees today: the dates win over what the beat has persisted."""
    if campaign.status not in OPENED:
        return campaign.status
    today = today or timezone.localdate()
    if today > campaign.promotion_end:
        return Status.CLOSED
    if today >= campaign.promotion_start:
        return Status.ONGOING
    return Status.OPEN


def effectively(*statuses: str, today: date | None = None, prefix: str = "") -> Q:
    """A filter for campaigns whose effective status today is one of ``statuses``.

    ``prefix`` reaches the campaign through a relation, e.g. ``"campaign__"``.
    """
    today = today or timezone.localdate()

    def q(**lookups) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    opened = q(status__in=OPENED)
    conditions = {
        Status.DRAFT: q(status=Status.DRAFT),
        Status.OPEN: opened & q(promotion_start__gt=today),
        Status.ONGOING: opened & q(promotion_start__lte=today, promotion_end__gte=today),
        Status.CLOSED: q(status=Status.CLOSED) | (opened & q(promotion_end__lt=today)),
    }
    condition = Q(pk__in=[])
    for status in statuses:
        condition |= conditions[status]
    return condition


def effective_status_expression(today: date | None = None) -> Case:
    today = today or timezone.localdate()
    return Case(
        When(~Q(status__in=OPENED), then=F("status")),
        When(promotion_end__lt=today, then=Value(Status.CLOSED)),
        When(promotion_start__lte=today, then=Value(Status.ONGOING)),
        default=Value(Status.OPEN),
        output_field=CharField(),
    )


def with_effective_status(queryset: QuerySet, today: date | None = None) -> QuerySet:
    """Annotates ``current_status`` (the effective status) on a campaign queryset."""
    return queryset.annotate(current_status=effective_status_expression(today))


def accepting_enrollments(today: date | None = None, prefix: str = "") -> Q:
    """Opened, not yet closed, and the registration window (inclusive) runs today.

    Registration may run into the promotion (it ends no later than
    ``promotion_end``), so an ongoing campaign can still take enrollments.
    """
    today = today or timezone.localdate()
    window = Q(
        **{f"{prefix}registration_start__lte": today, f"{prefix}registration_end__gte": today}
    )
    return effectively(Status.OPEN, Status.ONGOING, today=today, prefix=prefix) & window


def is_accepting_enrollments(campaign: Campaign, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        effective_status(campaign, today) in OPENED
        and campaign.registration_start <= today <= campaign.registration_end
    )


def _campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("provider").prefetch_related("categories")


def campaigns_for(
    *, organisation: Organisation | None, today: date | None = None
) -> QuerySet[Campaign]:
    """Providers see their own campaigns in every status.

    Merchants and buyers see every provider's campaigns that are effectively
    open or ongoing (an explicit rule on top of ``visible_to``: a live campaign
    is public to them, a draft or closed one is not).
    """
    if organisation is not None and organisation.role in (Role.MERCHANT, Role.BUYER):
        return _campaigns().filter(effectively(Status.OPEN, Status.ONGOING, today=today))
    return visible_to(_campaigns(), organisation)


def campaigns_open_for_registration(
    *, organisation: Organisation | None, today: date | None = None
) -> QuerySet[Campaign]:
    """What a merchant may enroll into today."""
    return campaigns_for(organisation=organisation, today=today).filter(
        accepting_enrollments(today)
    )


def reoffer_targets(*, provider: Organisation, today: date | None = None) -> QuerySet[Campaign]:
    """Other providers' campaigns a provider may re-offer an approved enrollment through.

    An explicit rule on top of ``visible_to``: to pick a second level, a
    provider sees the names and terms of others' campaigns open for registration.
    """
    return (
        _campaigns()
        .filter(accepting_enrollments(today))
        .exclude(provider=provider)
        .order_by("registration_end", "id")
    )


def provider_campaigns(
    *, provider: Organisation | None, today: date | None = None
) -> QuerySet[Campaign]:
    """The provider's own campaigns with their effective status and enrollment counts."""
    pending = Q(enrollments__status=Enrollment.Status.PENDING)
    approved = Q(enrollments__status=Enrollment.Status.APPROVED)
    return with_effective_status(visible_to(_campaigns(), provider), today).annotate(
        pending_count=Count("enrollments", filter=pending),
        approved_count=Count("enrollments", filter=approved),
    )
