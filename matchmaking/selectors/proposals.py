"""Reads of match proposals, scoped to the caller: the proposing provider and the buyer."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from accounts.models import Organisation
from accounts.scoping import visible_to
from matchmaking.models import Enrollment, MatchProposal
from matchmaking.selectors.assortments import addable_enrollments

Status = MatchProposal.Status
RATE_PLACES = Decimal("0.0001")


def proposals_for(
    *, organisation: Organisation | None, status: str = ""
) -> QuerySet[MatchProposal]:
    """The proposals the organisation made or received, newest first, in one query."""
    proposals = visible_to(
        MatchProposal.objects.select_related(
            "provider", "buyer", "enrollment__product", "enrollment__campaign"
        ),
        organisation,
    )
    if status:
        proposals = proposals.filter(status=status)
    return proposals


def acceptance_rate(accepted: int, declined: int) -> Decimal | None:
    """accepted / (accepted + declined), to 4 places half-up; None before any answer.

    Withdrawn and still open proposals do not count: the buyer has not said no.
    """
    answered = accepted + declined
    if not answered:
        return None
    return (Decimal(accepted) / Decimal(answered)).quantize(RATE_PLACES, ROUND_HALF_UP)


def acceptance_stats(*, organisation: Organisation | None) -> list[dict]:
    """Per provider, over the proposals the caller sees: counts by status and the rate.

    A provider sees one row, its own; a buyer one row per provider that
    proposed to it, counted over its own answers only.
    """
    rows = (
        proposals_for(organisation=organisation)
        .order_by()
        .values("provider", "provider__name")
        .annotate(
            proposed=Count("pk", filter=Q(status=Status.PROPOSED)),
            accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
            declined=Count("pk", filter=Q(status=Status.DECLINED)),
            withdrawn=Count("pk", filter=Q(status=Status.WITHDRAWN)),
        )
        .order_by("provider__name", "provider")
    )
    return [
        {
            "provider": row["provider"],
            "provider_name": row["provider__name"],
            "proposed": row["proposed"],
            "accepted": row["accepted"],
            "declined": row["declined"],
            "withdrawn": row["withdrawn"],
            "acceptance_rate": acceptance_rate(row["accepted"], row["declined"]),
        }
        for row in rows
    ]


def provider_stats(*, provider: Organisation) -> dict:
    """The provider's own row (zeros before its first proposal)."""
    rows = acceptance_stats(organisation=provider)
    empty = {"proposed": 0, "accepted": 0, "declined": 0, "withdrawn": 0, "acceptance_rate": None}
    return rows[0] if rows else {"provider": provider.pk, "provider_name": provider.name, **empty}


def proposable_enrollments(*, provider: Organisation) -> QuerySet[Enrollment]:
    """Approved enrollments of the provider's own campaigns (the assortments' rule)."""
    return addable_enrollments(provider=provider)
