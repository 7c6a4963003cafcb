"""Which enrollments a buyer may promote or ask samples of.

A buyer reaches an approved enrollment through an assortment shared with it,
or through the campaign of a provider it has an active roster membership with.
It may promote while the campaign is ongoing (dates decide, whatever the beat
task has persisted yet) and ask for samples from the moment the campaign opens.
"""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Organisation
from matchmaking.models import AssortmentItem, Campaign, Enrollment, RosterMembership
from matchmaking.selectors.campaigns import effectively


def reachable_filter(buyer: Organisation) -> Q:
    shared = AssortmentItem.objects.filter(enrollment=OuterRef("pk"), assortment__buyers=buyer)
    on_roster = RosterMembership.objects.filter(
        provider=OuterRef("campaign__provider"), buyer=buyer, status=RosterMembership.Status.ACTIVE
    )
    return Q(Exists(shared)) | Q(Exists(on_roster))


def promotable_enrollments(*, buyer: Organisation, today: date | None = None) -> QuerySet:
    return Enrollment.objects.filter(
        reachable_filter(buyer),
        effectively(Campaign.Status.ONGOING, today=today, prefix="campaign__"),
        status=Enrollment.Status.APPROVED,
    )


def sampleable_enrollments(*, buyer: Organisation, today: date | None = None) -> QuerySet:
    return Enrollment.objects.filter(
        reachable_filter(buyer),
        effectively(
            Campaign.Status.OPEN, Campaign.Status.ONGOING, today=today, prefix="campaign__"
        ),
        status=Enrollment.Status.APPROVED,
    )
