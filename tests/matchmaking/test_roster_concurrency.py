"""A roster changing while someone else acts on it (real threads, PostgreSQL)."""

import pytest

from accounts.models import Role
from core.errors import DomainError
from matchmaking.models import Assortment, RosterMembership
from matchmaking.services.assortments import update_assortment
from matchmaking.services.roster import accept_membership, end_membership, invite_buyer
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import OrganisationFactory, RosterMembershipFactory, UserFactory

pytestmark = pytest.mark.skipif(
    not uses_postgresql(), reason="row locks need PostgreSQL (bash .ci/run uses it)"
)


def test_two_teammates_inviting_the_same_buyer_make_one_invitation(transactional_db):
    provider = OrganisationFactory(role=Role.PROVIDER)
    first, second = UserFactory(organisation=provider), UserFactory(organisation=provider)
    buyer = OrganisationFactory(role=Role.BUYER)

    outcomes = run_together(
        lambda: invite_buyer(by=first, buyer_id=buyer.pk),
        lambda: invite_buyer(by=second, buyer_id=buyer.pk),
    )

    assert RosterMembership.objects.count() == 1
    errors = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    assert len(errors) == 1
    assert errors[0].field == "buyer"


def test_accepting_and_ending_at_once_leave_one_consistent_state(transactional_db):
    membership = RosterMembershipFactory(status="invited")
    buyer = UserFactory(organisation=membership.buyer)
    provider = UserFactory(organisation=membership.provider)

    outcomes = run_together(
        lambda: accept_membership(membership_id=membership.pk, by=buyer),
        lambda: end_membership(membership_id=membership.pk, by=provider),
    )

    membership.refresh_from_db()
    if isinstance(outcomes[0], DomainError):  # the end came first
        assert outcomes[0].status_code == 409
        assert membership.status == "ended" and membership.accepted_at is None
    else:  # accepted, then ended
        assert membership.status == "ended" and membership.accepted_at is not None


@pytest.mark.parametrize("attempt", range(3))
def test_an_end_and_a_share_at_once_never_leave_an_ended_buyer_shared(transactional_db, attempt):
    membership = RosterMembershipFactory(status="active")
    provider = UserFactory(organisation=membership.provider)
    buyer = UserFactory(organisation=membership.buyer)
    assortment = Assortment.objects.create(provider=membership.provider, name="Autumn")

    outcomes = run_together(
        lambda: update_assortment(
            assortment_id=assortment.pk, by=provider, buyer_ids=[membership.buyer_id]
        ),
        lambda: end_membership(membership_id=membership.pk, by=buyer),
    )

    membership.refresh_from_db()
    assert membership.status == "ended"
    assert not assortment.buyers.exists()
    if isinstance(outcomes[0], DomainError):  # the end came first: the share names the buyer
        assert outcomes[0].as_payload() == {
            "buyers": [f"Buyer {membership.buyer_id} is not on your active roster."]
        }
