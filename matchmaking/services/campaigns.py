"""State changes of campaigns: create, edit, open, close, delete, and the date-driven beat.

Rules (DESIGN.md "Campaign"): minimum commission <= 50 %, service fee <= 40 %,
their sum <= 90 %; ordered windows, a promotion of at most 360 days
(inclusive), registration ending no later than the promotion; settlement delay
0..90 days, attribution window 1..30 days. Rates and windows change only in
draft; name, categories and thresholds until the campaign is closed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import ensure_can_write
from core import generations
from core.errors import Conflict, DomainError, FieldErrors, Forbidden, ensure
from matchmaking.locks import lock_campaign, lock_campaigns, lock_enrollments
from matchmaking.models import (
    MAX_PROMOTION_DAYS,
    Campaign,
    Enrollment,
)
from matchmaking.rates import check_campaign_rates
from matchmaking.selectors.campaigns import OPENED, effective_status, effectively

Status = Campaign.Status
# Terms fixed once the campaign leaves draft: merchants enrolled against them.
DRAFT_ONLY_FIELDS = (
    "registration_start",
    "registration_end",
    "promotion_start",
    "promotion_end",
    "min_commission_rate",
    "service_fee_rate",
    "settlement_delay_days",
    "attribution_window_days",
)
EDITABLE_UNTIL_CLOSED = ("name", "categories", "min_merchant_rating")
CAMPAIGN_FIELDS = (*EDITABLE_UNTIL_CLOSED, *DRAFT_ONLY_FIELDS)
SETTLEMENT_DELAY_RANGE = (0, 90)
ATTRIBUTION_WINDOW_RANGE = (1, 30)
MAX_RATING = Decimal("5.00")


def check_windows(values: dict[str, Any], errors: FieldErrors) -> None:
    reg_start, reg_end = values["registration_start"], values["registration_end"]
    promo_start, promo_end = values["promotion_start"], values["promotion_end"]
    errors.check(
        reg_start <= reg_end, "registration_end", _("Registration cannot end before it starts.")
    )
    errors.check(
        reg_end <= promo_end,
        "registration_end",
        _("Registration must end no later than the promotion ends (%s).") % promo_end,
    )
    errors.check(
        promo_start <= promo_end, "promotion_end", _("The promotion cannot end before it starts.")
    )
    errors.check(
        (promo_end - promo_start).days + 1 <= MAX_PROMOTION_DAYS,
        "promotion_end",
        _("The promotion can last at most %d days, first and last day included.")
        % MAX_PROMOTION_DAYS,
    )


def check_days_and_thresholds(values: dict[str, Any], errors: FieldErrors) -> None:
    low, high = SETTLEMENT_DELAY_RANGE
    errors.check(
        low <= values["settlement_delay_days"] <= high,
        "settlement_delay_days",
        _("The settlement delay must be between %(low)d and %(high)d days.")
        % {"low": low, "high": high},
    )
    low, high = ATTRIBUTION_WINDOW_RANGE
    errors.check(
        low <= values["attribution_window_days"] <= high,
        "attribution_window_days",
        _("The attribution window must be between %(low)d and %(high)d days.")
        % {"low": low, "high": high},
    )
    rating = values.get("min_merchant_rating")
    errors.check(
        rating is None or 0 <= rating <= MAX_RATING,
        "min_merchant_rating",
        _("A merchant rating is between 0.00 and 5.00."),
    )
    errors.check(bool((values.get("name") or "").strip()), "name", _("Give the campaign a name."))


def check_campaign_terms(values: dict[str, Any]) -> None:
    """Every campaign rule on a complete set of values; raises all broken ones together."""
    errors = FieldErrors()
    check_campaign_rates(values, errors)
    check_windows(values, errors)
    check_days_and_thresholds(values, errors)
    errors.raise_if_any()


def ensure_provider(user: User) -> None:
    ensure_can_write(user)
    ensure(
        user.organisation.role == Role.PROVIDER,
        Forbidden(_("Only service providers run campaigns.")),
    )


def current_values(campaign: Campaign) -> dict[str, Any]:
    values = {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS if name != "categories"}
    values["categories"] = list(campaign.categories.all()) if campaign.pk else []
    return values


def create_campaign(*, by: User, values: dict[str, Any]) -> Campaign:
    """An active service provider drafts a campaign; it opens with ``open_campaign``."""
    ensure_provider(by)
    values = {"settlement_delay_days": 15, "attribution_window_days": 7, **values}
    check_campaign_terms(values)
    categories = values.pop("categories", [])
    with transaction.atomic():
        campaign = Campaign.objects.create(provider=by.organisation, status=Status.DRAFT, **values)
        campaign.categories.set(categories)
    return campaign


def changed_fields(campaign: Campaign, changes: dict[str, Any]) -> set[str]:
    before = current_values(campaign)
    changed = set()
    for name, value in changes.items():
        if name == "categories":
            if {c.pk for c in value} != {c.pk for c in before["categories"]}:
                changed.add(name)
        elif value != before[name]:
            changed.add(name)
    return changed


def update_campaign(*, campaign_id: int, by: User, changes: dict[str, Any]) -> Campaign:
    """Rates and windows change only in draft (409 after); the rest until closed (409 then).

    Sending an unchanged value of a fixed field is not a change, so a full PUT
    of what the client read succeeds.
    """
    ensure_provider(by)
    with transaction.atomic():
        campaign = lock_campaign(campaign_id, provider=by.organisation)
        changed = changed_fields(campaign, changes)
        status = effective_status(campaign)
        fixed = sorted(changed.intersection(DRAFT_ONLY_FIELDS))
        ensure(
            not fixed or status == Status.DRAFT,
            Conflict(
                _("Rates and dates can only change while the campaign is a draft; it is %s.")
                % Status(status).label.lower()
            ),
        )
        ensure(
            not changed or status != Status.CLOSED,
            Conflict(_("A closed campaign cannot be changed.")),
        )
        values = {**current_values(campaign), **changes}
        check_campaign_terms(values)
        categories = values.pop("categories")
        for name in changed - {"categories"}:
            setattr(campaign, name, values[name])
        campaign.save()
        if "categories" in changed:
            campaign.categories.set(categories)
    return campaign


def delete_campaign(*, campaign_id: int, by: User) -> None:
    """Only a draft is deleted; an opened campaign is closed instead, keeping its history."""
    ensure_provider(by)
    with transaction.atomic():
        campaign = lock_campaign(campaign_id, provider=by.organisation)
        ensure(
            campaign.status == Status.DRAFT,
            Conflict(
                _("Only a draft campaign can be deleted; this one is %s. Close it instead.")
                % Status(effective_status(campaign)).label.lower()
            ),
        )
        campaign.delete()


def open_campaign(*, campaign_id: int, by: User) -> Campaign:
    """draft -> open (or straight to ongoing when the promotion already started)."""
    ensure_provider(by)
    today = timezone.localdate()
    with transaction.atomic():
        campaign = lock_campaign(campaign_id, provider=by.organisation)
        ensure(
            campaign.status == Status.DRAFT,
            Conflict(
                _("Only a draft campaign can be opened; this one is %s.")
                % Status(effective_status(campaign, today)).label.lower()
            ),
        )
        ensure(
            campaign.promotion_end >= today,
            DomainError(
                _("The promotion already ended on %s; move its dates before opening.")
                % campaign.promotion_end,
                field="promotion_end",
            ),
        )
        campaign.status = Status.ONGOING if campaign.promotion_start <= today else Status.OPEN
        campaign.opened_at = timezone.now()
        campaign.save(update_fields=["status", "opened_at"])
    return campaign


def close_campaign(*, campaign_id: int, by: User) -> Campaign:
    """open/ongoing -> closed by hand; its approved enrollments expire with it."""
    ensure_provider(by)
    with transaction.atomic():
        campaign = lock_campaign(campaign_id, provider=by.organisation)
        status = effective_status(campaign)
        ensure(
            status in OPENED,
            Conflict(
                _("Only an open or ongoing campaign can be closed; this one is %s.")
                % Status(status).label.lower()
            ),
        )
        campaign.status = Status.CLOSED
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["status", "closed_at"])
        generations.bump_on_commit(generations.PROMOTION)
        expire_enrollments_of_closed_campaigns(today=timezone.localdate(), campaign=campaign)
    return campaign


def pks(rows: Iterable[Model]) -> list[int]:
    return [row.pk for row in rows]


def expire_enrollments_of_closed_campaigns(*, today: date, campaign: Campaign | None = None) -> int:
    """approved -> expired in effectively closed campaigns, then second levels of ended parents.

    With ``campaign`` only that campaign's enrollments (and their second
    levels) are touched; the beat sweeps them all. Every enrollment either step may end is
    locked first, at once (the lock order), and only those are updated: a provider
    terminating one meanwhile is waited for, and its termination stands.
    """
    now = timezone.now()
    approved = Enrollment.objects.filter(status=Enrollment.Status.APPROVED)
    closing = effectively(Status.CLOSED, today=today, prefix="campaign__")
    ended_parent = Q(parent__status__in=(Enrollment.Status.EXPIRED, Enrollment.Status.TERMINATED))
    parent_closing = Q(parent__status=Enrollment.Status.APPROVED) & effectively(
        Status.CLOSED, today=today, prefix="parent__campaign__"
    )
    ending = approved.filter(closing | ended_parent | parent_closing)
    if campaign is not None:
        ending = ending.filter(Q(campaign=campaign) | Q(parent__campaign=campaign))
    locked = pks(lock_enrollments(ending.only("pk")))
    in_closed = approved.filter(closing, pk__in=locked)
    children = approved.filter(ended_parent, pk__in=locked)
    if campaign is not None:
        in_closed = in_closed.filter(campaign=campaign)
        children = children.filter(parent__campaign=campaign)
    ended = {"status": Enrollment.Status.EXPIRED, "promotion_ended_at": now, "updated_at": now}
    expired = in_closed.update(**ended)
    expired += children.update(**ended)  # re-offers of the first levels ended just now too
    if expired:
        generations.bump_on_commit(generations.PROMOTION)
    return expired


@dataclass(frozen=True)
class Advanced:
    ongoing: int
    closed: int
    expired_enrollments: int


def advance_campaigns(*, today: date | None = None) -> Advanced:
    """The beat's work: persist date-driven moves with conditional UPDATEs.

    Each UPDATE only matches rows still in the old state, locked first in the lock order,
    so a second run (or a second worker at the same moment) finds nothing to do.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        starting = Q(status=Status.OPEN, promotion_start__lte=today, promotion_end__gte=today)
        ending = Q(status__in=OPENED, promotion_end__lt=today)  # never starting as well
        locked = pks(lock_campaigns(Campaign.objects.filter(starting | ending).only("pk")))
        campaigns = Campaign.objects.filter(pk__in=locked)
        ongoing = campaigns.filter(starting).update(status=Status.ONGOING)
        closed = campaigns.filter(ending).update(status=Status.CLOSED, closed_at=now)
        expired = expire_enrollments_of_closed_campaigns(today=today)
    return Advanced(ongoing=ongoing, closed=closed, expired_enrollments=expired)
