import pytest
from django.db.models import QuerySet

from accounts.models import Role
from core.errors import DomainError
from matchmaking.models import Assortment, RosterMembership
from matchmaking.services.roster import end_membership, invite_buyer
from tests.factories import OrganisationFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db

ROSTER = "/api/v1/roster/"


def shared_assortment(provider_org, *buyers, name="Autumn"):
    assortment = Assortment.objects.create(provider=provider_org, name=name)
    assortment.buyers.set(buyers)
    return assortment


@pytest.mark.parametrize("side", ["provider", "buyer"])
def test_ending_a_membership_unshares_the_providers_assortments_from_that_buyer(
    api, provider, buyer, side
):
    membership = RosterMembershipFactory(
        provider=provider.organisation, buyer=buyer.organisation, status="active"
    )
    other_buyer = RosterMembershipFactory(provider=provider.organisation).buyer
    other_provider = OrganisationFactory(role=Role.PROVIDER)
    first = shared_assortment(provider.organisation, buyer.organisation, other_buyer)
    second = shared_assortment(provider.organisation, buyer.organisation, name="Winter")
    elsewhere = shared_assortment(other_provider, buyer.organisation, name="Elsewhere")
    user = provider if side == "provider" else buyer

    response = api.as_member(user).post(f"{ROSTER}{membership.pk}/end/")

    assert response.status_code == 200
    assert list(first.buyers.all()) == [other_buyer]
    assert list(second.buyers.all()) == []
    assert list(elsewhere.buyers.all()) == [buyer.organisation]
    listing = api.as_member(buyer).get("/api/v1/assortments/").json()
    assert [row["name"] for row in listing["results"]] == ["Elsewhere"]


def test_a_failed_end_unshares_nothing(provider, buyer):
    membership = RosterMembershipFactory(
        provider=provider.organisation, buyer=buyer.organisation, status="ended"
    )
    assortment = shared_assortment(provider.organisation, buyer.organisation)

    with pytest.raises(DomainError):
        end_membership(membership_id=membership.pk, by=provider)

    assert list(assortment.buyers.all()) == [buyer.organisation]


def test_an_outsider_cannot_end_a_membership(provider, buyer, member_factory):
    membership = RosterMembershipFactory(provider=provider.organisation, buyer=buyer.organisation)

    with pytest.raises(DomainError) as error:
        end_membership(membership_id=membership.pk, by=member_factory(Role.PROVIDER))

    assert error.value.status_code == 403
    membership.refresh_from_db()
    assert membership.status == "active"


def test_a_concurrent_invite_of_the_same_buyer_is_refused_by_the_constraint(
    provider, buyer, monkeypatch
):
    RosterMembershipFactory(
        provider=provider.organisation, buyer=buyer.organisation, status="invited"
    )
    # The other invite committed between our check and our insert.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)

    with pytest.raises(DomainError) as error:
        invite_buyer(by=provider, buyer_id=buyer.organisation_id)

    assert error.value.status_code == 400
    assert error.value.as_payload() == {
        "buyer": ["This buyer is already invited or on your roster."]
    }
    assert RosterMembership.objects.count() == 1
