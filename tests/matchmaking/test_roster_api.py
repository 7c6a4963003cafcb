import pytest
from django.utils import timezone

from accounts.models import Organisation, Role
from matchmaking.models import RosterMembership
from tests.factories import OrganisationFactory, RosterMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ROSTER = "/api/v1/roster/"


def invite(api, provider, buyer_id):
    return api.as_member(provider).post(ROSTER, {"buyer": buyer_id}, format="json")


def membership_between(provider, buyer, status="invited"):
    return RosterMembershipFactory(
        provider=provider.organisation, buyer=buyer.organisation, status=status
    )


def test_it_lets_an_active_provider_invite_a_buyer(api, provider, buyer):
    response = invite(api, provider, buyer.organisation_id)

    assert response.status_code == 201
    body = response.json()
    assert body["provider"] == provider.organisation_id
    assert body["buyer"] == buyer.organisation_id
    assert body["status"] == "invited"
    assert body["buyer_name"] == buyer.organisation.name
    assert body["provider_name"] == provider.organisation.name
    assert body["accepted_at"] is None
    assert body["ended_at"] is None
    assert {"id", "created_at"} <= set(body)
    membership = RosterMembership.objects.get()
    assert membership.invited_by == provider


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.BUYER, Organisation.Status.PENDING),
        (Role.BUYER, Organisation.Status.SUSPENDED),
        (Role.MERCHANT, Organisation.Status.ACTIVE),
        (Role.PROVIDER, Organisation.Status.ACTIVE),
    ],
)
def test_it_accepts_only_an_active_buyer_organisation(api, provider, role, status):
    other = OrganisationFactory(role=role, status=status)

    response = invite(api, provider, other.pk)

    assert response.status_code == 400
    assert response.json() == {"buyer": ["Choose an active buyer organisation."]}
    assert not RosterMembership.objects.exists()


def test_it_refuses_an_unknown_buyer_id(api, provider):
    assert invite(api, provider, 999999).json() == {
        "buyer": ["Choose an active buyer organisation."]
    }


def test_it_requires_a_buyer(api, provider):
    response = api.as_member(provider).post(ROSTER, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"buyer"}


@pytest.mark.parametrize("status", ["invited", "active"])
def test_it_refuses_to_invite_a_buyer_already_invited_or_on_the_roster(
    api, provider, buyer, status
):
    membership_between(provider, buyer, status)

    response = invite(api, provider, buyer.organisation_id)

    assert response.status_code == 400
    assert response.json() == {"buyer": ["This buyer is already invited or on your roster."]}
    assert RosterMembership.objects.count() == 1


def test_it_allows_inviting_again_after_an_end(api, provider, buyer):
    membership_between(provider, buyer, "ended")

    response = invite(api, provider, buyer.organisation_id)

    assert response.status_code == 201
    assert list(RosterMembership.objects.order_by("pk").values_list("status", flat=True)) == [
        "ended",
        "invited",
    ]


def test_a_pending_provider_cannot_invite(api, pending_provider, buyer):
    response = invite(api, pending_provider, buyer.organisation_id)

    assert response.status_code == 403
    assert not RosterMembership.objects.exists()


def test_a_buyer_cannot_invite(api, buyer):
    other_buyer = OrganisationFactory(role=Role.BUYER)

    response = api.as_member(buyer).post(ROSTER, {"buyer": other_buyer.pk}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only service providers can invite buyers."}


def test_a_merchant_can_do_nothing_with_the_roster(api, merchant, provider, buyer):
    membership = membership_between(provider, buyer)
    client = api.as_member(merchant)

    assert client.get(ROSTER).status_code == 403
    assert client.get(f"{ROSTER}{membership.pk}/").status_code == 403
    assert client.post(ROSTER, {"buyer": buyer.organisation_id}, format="json").status_code == 403
    assert client.post(f"{ROSTER}{membership.pk}/accept/").status_code == 403
    assert client.post(f"{ROSTER}{membership.pk}/end/").status_code == 403


def test_the_buyer_accepts_an_invitation(api, provider, buyer):
    membership = membership_between(provider, buyer)

    response = api.as_member(buyer).post(f"{ROSTER}{membership.pk}/accept/")

    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert response.json()["accepted_at"] is not None
    membership.refresh_from_db()
    assert membership.status == "active"
    assert membership.accepted_at is not None


def test_the_provider_cannot_accept_its_own_invitation(api, provider, buyer):
    membership = membership_between(provider, buyer)

    response = api.as_member(provider).post(f"{ROSTER}{membership.pk}/accept/")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the invited buyer can accept this invitation."}
    membership.refresh_from_db()
    assert membership.status == "invited"


@pytest.mark.parametrize("status", ["active", "ended"])
def test_it_accepts_only_an_open_invitation(api, provider, buyer, status):
    membership = membership_between(provider, buyer, status)

    response = api.as_member(buyer).post(f"{ROSTER}{membership.pk}/accept/")

    assert response.status_code == 409
    assert response.json() == {"detail": "Only an open invitation can be accepted."}


@pytest.mark.parametrize("side", ["provider", "buyer"])
@pytest.mark.parametrize("status", ["invited", "active"])
def test_either_side_ends_a_membership(api, provider, buyer, side, status):
    membership = membership_between(provider, buyer, status)
    user = provider if side == "provider" else buyer

    response = api.as_member(user).post(f"{ROSTER}{membership.pk}/end/")

    assert response.status_code == 200
    assert response.json()["status"] == "ended"
    assert response.json()["ended_by"] == user.organisation_id
    membership.refresh_from_db()
    assert membership.status == "ended"
    assert membership.ended_by == user.organisation
    assert abs((timezone.now() - membership.ended_at).total_seconds()) < 60


def test_an_ended_membership_cannot_end_again(api, provider, buyer):
    membership = membership_between(provider, buyer, "ended")

    response = api.as_member(provider).post(f"{ROSTER}{membership.pk}/end/")

    assert response.status_code == 409
    assert response.json() == {"detail": "This membership has already ended."}


def test_a_pending_provider_cannot_end(api, pending_provider, buyer):
    membership = membership_between(pending_provider, buyer, "invited")

    response = api.as_member(pending_provider).post(f"{ROSTER}{membership.pk}/end/")

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.status == "invited"


def test_both_sides_see_the_membership_and_nobody_else(api, provider, buyer, member_factory):
    membership = membership_between(provider, buyer)
    other_provider = member_factory(Role.PROVIDER)
    other_buyer = member_factory(Role.BUYER)

    for user in (provider, buyer):
        client = api.as_member(user)
        assert client.get(f"{ROSTER}{membership.pk}/").status_code == 200
        assert [row["id"] for row in client.get(ROSTER).json()["results"]] == [membership.pk]
    for user in (other_provider, other_buyer):
        client = api.as_member(user)
        assert client.get(f"{ROSTER}{membership.pk}/").status_code == 404
        assert client.post(f"{ROSTER}{membership.pk}/end/").status_code == 404
        assert client.get(ROSTER).json()["count"] == 0
    assert api.as_member(other_buyer).post(f"{ROSTER}{membership.pk}/accept/").status_code == 404


def test_it_filters_the_roster_by_status(api, provider):
    RosterMembershipFactory(provider=provider.organisation, status="active")
    ended = RosterMembershipFactory(provider=provider.organisation, status="ended")

    response = api.as_member(provider).get(ROSTER, {"status": "ended"})

    assert [row["id"] for row in response.json()["results"]] == [ended.pk]


def test_the_roster_list_runs_a_bounded_number_of_queries(
    api, provider, django_assert_max_num_queries
):
    for _ in range(30):
        RosterMembershipFactory(provider=provider.organisation)
    client = api.as_member(provider)

    with django_assert_max_num_queries(6):
        response = client.get(ROSTER)

    assert response.json()["count"] == 30


class TestBuyerDirectory:
    URL = "/api/v1/buyers/"

    def test_it_finds_active_buyers_by_name_with_id_and_name_only(self, api, provider):
        found = OrganisationFactory(role=Role.BUYER, name="Luna Live")
        OrganisationFactory(role=Role.BUYER, name="Lunar pending", status="pending")
        OrganisationFactory(role=Role.MERCHANT, name="Luna Merchant")
        OrganisationFactory(role=Role.BUYER, name="Sunny Streams")

        response = api.as_member(provider).get(self.URL, {"search": "luna"})

        assert response.status_code == 200
        assert response.json()["results"] == [{"id": found.pk, "name": "Luna Live"}]

    def test_it_lists_every_active_buyer_without_a_search(self, api, provider):
        OrganisationFactory(role=Role.BUYER, name="B two")
        OrganisationFactory(role=Role.BUYER, name="A one")

        names = [row["name"] for row in api.as_member(provider).get(self.URL).json()["results"]]

        assert names == ["A one", "B two"]

    def test_a_pending_provider_may_look(self, api, pending_provider):
        assert api.as_member(pending_provider).get(self.URL).status_code == 200

    @pytest.mark.parametrize("role", [Role.BUYER, Role.MERCHANT])
    def test_only_providers_may_use_it(self, api, member_factory, role):
        assert api.as_member(member_factory(role)).get(self.URL).status_code == 403

    def test_it_needs_a_signed_in_user(self, api):
        assert api.get(self.URL).status_code in (401, 403)

    def test_an_operator_cannot_use_it(self, api):
        operator = UserFactory(organisation=None, is_staff=True)
        assert api.as_member(operator).get(self.URL).status_code == 403
