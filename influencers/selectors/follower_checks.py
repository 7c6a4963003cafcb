"""Reads of buyers' follower counts: the claim, the verified figure, and who may verify it."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from accounts.models import OPERATOR, Organisation, Role, User
from influencers.models import BuyerProfile
from matchmaking.models import RosterMembership


@dataclass(frozen=True)
class FollowerFacts:
    """What a merchant or provider deciding by hand is shown of a buyer's followers."""

    claimed: int
    verified: int
    verified_at: datetime | None
    verified_by: str | None  # the verifier's role, "provider" or "operator"; never a person

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def claim_is_unverified(self) -> bool:
        """Nothing verified yet, or the buyer claims a figure other than the verified one."""
        return not self.is_verified or self.claimed != self.verified


def follower_facts(*, profile: BuyerProfile | None) -> FollowerFacts:
    """Facts of one profile; load it with ``select_related("follower_verification")``."""
    if profile is None:
        return FollowerFacts(claimed=0, verified=0, verified_at=None, verified_by=None)
    verification = profile.follower_verification
    return FollowerFacts(
        claimed=profile.followers,
        verified=verification.followers if verification else 0,
        verified_at=verification.verified_at if verification else None,
        verified_by=verification.verifier_role if verification else None,
    )


def profile_of_organisation(buyer: Organisation) -> BuyerProfile | None:
    """The profile loaded with the organisation, or None when the buyer never wrote one."""
    try:
        return buyer.buyer_profile
    except BuyerProfile.DoesNotExist:
        return None


def verifiable_buyers(*, user: User) -> QuerySet[Organisation]:
    """Buyers whose follower count the user may verify: any buyer for an operator, the buyers on
    its active roster for a service provider, none for anyone else."""
    buyers = Organisation.objects.filter(role=Role.BUYER)
    if user.role == OPERATOR:
        return buyers
    if user.role == Role.PROVIDER:
        return buyers.filter(
            providers_roster__provider_id=user.organisation_id,
            providers_roster__status=RosterMembership.Status.ACTIVE,
        )
    return buyers.none()


def roster_follower_facts(*, provider: Organisation) -> list[tuple[Organisation, FollowerFacts]]:
    """The provider's active roster buyers by name, each with its follower facts (one query)."""
    buyers = (
        Organisation.objects.filter(
            role=Role.BUYER,
            providers_roster__provider=provider,
            providers_roster__status=RosterMembership.Status.ACTIVE,
        )
        .select_related("buyer_profile__follower_verification")
        .order_by("name", "id")
    )
    return [
        (buyer, follower_facts(profile=profile_of_organisation(buyer))) for buyer in buyers[:500]
    ]
