"""Proposals answered at the same moment (real threads, PostgreSQL)."""

import pytest

from accounts.models import Role
from core.errors import Conflict
from matchmaking.models import Assortment, AssortmentItem, MatchProposal
from matchmaking.services.proposals import accept_proposal, decline_proposal
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import (
    CampaignFactory,
    EnrollmentFactory,
    OrganisationFactory,
    RosterMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.skipif(
    not uses_postgresql(), reason="row locks need PostgreSQL (bash .ci/run uses it)"
)


def open_proposals(count: int):
    provider = OrganisationFactory(role=Role.PROVIDER)
    buyer = OrganisationFactory(role=Role.BUYER)
    RosterMembershipFactory(provider=provider, buyer=buyer)
    campaign = CampaignFactory(provider=provider)
    proposals = [
        MatchProposal.objects.create(
            provider=provider, buyer=buyer,
            enrollment=EnrollmentFactory(campaign=campaign, status="approved"),
        )
        for _ in range(count)
    ]  # fmt: skip
    return buyer, proposals


def test_two_acceptances_at_once_share_one_assortment(transactional_db):
    buyer, proposals = open_proposals(2)
    first, second = UserFactory(organisation=buyer), UserFactory(organisation=buyer)

    run_together(
        lambda: accept_proposal(proposal_id=proposals[0].pk, by=first),
        lambda: accept_proposal(proposal_id=proposals[1].pk, by=second),
    )

    assortment = Assortment.objects.get()
    assert sorted(AssortmentItem.objects.values_list("position", flat=True)) == [1, 2]
    assert list(assortment.buyers.all()) == [buyer]


def test_accepting_and_declining_at_once_leave_one_answer(transactional_db):
    buyer, proposals = open_proposals(1)
    first, second = UserFactory(organisation=buyer), UserFactory(organisation=buyer)

    outcomes = run_together(
        lambda: accept_proposal(proposal_id=proposals[0].pk, by=first),
        lambda: decline_proposal(proposal_id=proposals[0].pk, by=second),
    )

    assert sum(isinstance(outcome, Conflict) for outcome in outcomes) == 1
    status = MatchProposal.objects.get().status
    assert AssortmentItem.objects.count() == (1 if status == "accepted" else 0)
