"""Row locks on influencers' tables. Every transaction takes its locks in the one order of
docs/architecture.md "Lock order"; a helper only locks (callers check rules and rights)."""

from datetime import datetime

from accounts.models import Organisation
from influencers.models import BuyerProfile, Livestream, SampleRequest


def lock_buyer_profile(profile_id: int) -> BuyerProfile:
    """The buyer profile, locked."""
    return BuyerProfile.objects.select_for_update(no_key=True).get(pk=profile_id)


def lock_livestream(livestream_id: int, *, buyer: Organisation | None) -> Livestream:
    """The buyer's own livestream, locked (another buyer's answers DoesNotExist, a 404)."""
    return Livestream.objects.select_for_update(no_key=True).get(pk=livestream_id, buyer=buyer)


def lock_sample_request(request_id: int) -> SampleRequest:
    """The sample request, locked, with its enrollment's product and campaign and its buyer
    (not locked)."""
    return (
        SampleRequest.objects.select_for_update(no_key=True, of=("self",))
        .select_related("enrollment__product", "enrollment__campaign", "buyer")
        .get(pk=request_id)
    )


def lock_due_sample_requests(
    *, status: str, deadline: str, now: datetime, limit: int
) -> list[SampleRequest]:
    """Up to ``limit`` requests in ``status`` whose ``deadline`` field is before ``now``, locked
    in ascending id, with their product's merchant and their buyer (not locked); requests
    another transaction holds are skipped (SKIP LOCKED), not waited for."""
    return list(
        SampleRequest.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
        .select_related("enrollment__product__merchant", "buyer")
        .filter(status=status, **{f"{deadline}__lt": now})
        .order_by("pk")[:limit]
    )
