from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Organisation
from influencers.models import BuyerProfile, SampleRequest
from matchmaking.models import RosterMembership

FULFILMENT_WINDOW = timedelta(days=90)


def profile_of(*, buyer: Organisation) -> BuyerProfile:
    """A buyer always has a profile; the first read creates an empty one."""
    profile, _ = BuyerProfile.objects.get_or_create(organisation=buyer)
    return profile


def fulfilment_rate(*, buyer: Organisation, now: datetime | None = None) -> Decimal | None:
    """Fulfilled over decided samples received in the last 90 days; None before any."""
    counts = fulfilment_counts(buyer_ids=[buyer.pk], now=now).get(buyer.pk)
    return counts["rate"] if counts else None


def fulfilment_counts(*, buyer_ids: list[int], now: datetime | None = None) -> dict[int, dict]:
    """One query for many buyers: {buyer_id: {fulfilled, unfulfilled, rate}}."""
    since = (now or timezone.now()) - FULFILMENT_WINDOW
    rows = (
        SampleRequest.objects.filter(
            buyer_id__in=buyer_ids,
            status__in=[SampleRequest.Status.FULFILLED, SampleRequest.Status.UNFULFILLED],
            closed_at__gte=since,
        )
        .values("buyer_id")
        .annotate(
            fulfilled=Count("id", filter=Q(status=SampleRequest.Status.FULFILLED)),
            unfulfilled=Count("id", filter=Q(status=SampleRequest.Status.UNFULFILLED)),
        )
    )
    result = {}
    for row in rows:
        decided = row["fulfilled"] + row["unfulfilled"]
        rate = (Decimal(row["fulfilled"]) / decided).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        result[row["buyer_id"]] = {**row, "rate": rate}
    return result


def roster_providers(*, buyer: Organisation) -> list[Organisation]:
    """The service providers a buyer works with: its active roster memberships."""
    return list(
        Organisation.objects.filter(
            roster__buyer=buyer, roster__status=RosterMembership.Status.ACTIVE
        ).order_by("name")
    )
