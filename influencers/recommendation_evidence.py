"""What influencers tells the recommender (matchmaking.buyer_evidence): buyers' profiles and
the lineup slots they planned lately. Registered in InfluencersConfig.ready."""

from datetime import datetime

from influencers.models import BuyerProfile, LineupSlot
from matchmaking.buyer_evidence import Profile


def profiles(buyer_ids: list[int]) -> dict[int, Profile]:
    rows = BuyerProfile.objects.filter(organisation_id__in=buyer_ids).prefetch_related("categories")
    return {
        row.organisation_id: Profile(
            categories=frozenset(category.pk for category in row.categories.all()),
            price_min=row.price_band_min,
            price_max=row.price_band_max,
            typical_units=row.typical_units_per_livestream,
        )
        for row in rows
    }


def planned_slots(
    buyer_ids: list[int], since: datetime, enrollment_ids: list[int] | None
) -> list[tuple[int, int, datetime]]:
    slots = LineupSlot.objects.filter(
        livestream__buyer_id__in=buyer_ids, livestream__scheduled_at__gte=since
    )
    if enrollment_ids is not None:
        slots = slots.filter(enrollment_id__in=enrollment_ids)
    return list(
        slots.values_list("livestream__buyer_id", "enrollment_id", "livestream__scheduled_at")
    )
