"""Precomputed recommendation scores: the nightly task's writes."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from matchmaking.models import RecommendationScore
from matchmaking.selectors.recommendations import recommend_for_buyer

PRECOMPUTED_PER_BUYER = 500


def store_recommendation_scores(*, buyer_id: int) -> int:
    """Replace the buyer's precomputed scores with its current top PRECOMPUTED_PER_BUYER:
    upserts on the (buyer, enrollment) unique key, then drop the rows no longer in the top,
    so a second run (or a second worker) leaves the same rows."""
    buyer = Organisation.objects.get(pk=buyer_id)
    ranked = recommend_for_buyer(buyer=buyer, limit=PRECOMPUTED_PER_BUYER)
    now = timezone.now()
    rows = [
        RecommendationScore(
            buyer=buyer, enrollment=rec.enrollment, score=rec.score, computed_at=now,
            parts={name: str(value) for name, value in rec.parts.items()}, reasons=rec.reasons,
        )
        for rec in ranked
    ]  # fmt: skip
    with transaction.atomic():
        RecommendationScore.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["buyer", "enrollment"],
            update_fields=["score", "parts", "reasons", "computed_at"],
        )  # fmt: skip
        RecommendationScore.objects.filter(buyer=buyer).exclude(
            enrollment_id__in=[rec.enrollment.pk for rec in ranked]
        ).delete()
    return len(rows)
