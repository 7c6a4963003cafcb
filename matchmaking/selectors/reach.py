"""Which enrollments a buyer may promote or ask samples of.

A buyer reaches an approved enrollment through an assortment shared with it,
or through the campaign of a provider it has an active roster membership with.
It may promote while the campaign is ongoing (dates decide, whatever the beat
task has persisted yet) and ask for samples from the moment the campaign opens.

The reach is resolved to two short id lists first (the live campaigns of the
buyer's providers, the enrollments shared with it): the planner then uses the
indexes of the big enrollment table instead of testing every row with EXISTS
(bench/bench_catalogue.py measured 152 -> 34 ms at 100,000 enrollments).
"""

from datetime import date

from django.db.models import Q, QuerySet

from accounts.models import Organisation
from matchmaking.models import AssortmentItem, Campaign, Enrollment, RosterMembership
from matchmaking.selectors.campaigns import effectively
from matchmaking.selectors.promotable import available


def reachable_filter(buyer: Organisation, campaigns: Q) -> Q:
    on_roster = RosterMembership.objects.filter(
        buyer=buyer, status=RosterMembership.Status.ACTIVE
    ).values("provider")
    campaign_ids = list(
        Campaign.objects.filter(campaigns, provider__in=on_roster).values_list("pk", flat=True)
    )
    shared_ids = list(
        AssortmentItem.objects.filter(assortment__buyers=buyer)
        .values_list("enrollment_id", flat=True)
        .distinct()
    )
    return Q(campaign_id__in=campaign_ids) | Q(pk__in=shared_ids)


def reachable_enrollments(*statuses: str, buyer: Organisation, today: date | None) -> QuerySet:
    campaigns = effectively(*statuses, today=today)
    return Enrollment.objects.filter(
        reachable_filter(buyer, campaigns),
        effectively(*statuses, today=today, prefix="campaign__"),
        status=Enrollment.Status.APPROVED,
    )


def promotable_enrollments(*, buyer: Organisation, today: date | None = None) -> QuerySet:
    """What the buyer reaches that is promotable now: approved, campaign ongoing, product active
    with stock, promotion stock left (matchmaking.selectors.promotable)."""
    return reachable_enrollments(Campaign.Status.ONGOING, buyer=buyer, today=today).filter(
        available()
    )


def reached_enrollment(*, buyer: Organisation, enrollment_id: int) -> Enrollment | None:
    """The enrollment if the buyer reaches it at all (any status, any campaign date), with
    product and campaign: to tell it why it cannot promote something it knows of."""
    campaigns = effectively(*Campaign.Status.values)
    return (
        Enrollment.objects.select_related("product", "campaign")
        .filter(reachable_filter(buyer, campaigns), pk=enrollment_id)
        .first()
    )


def sampleable_enrollments(*, buyer: Organisation, today: date | None = None) -> QuerySet:
    return reachable_enrollments(
        Campaign.Status.OPEN, Campaign.Status.ONGOING, buyer=buyer, today=today
    )
