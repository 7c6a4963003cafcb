import pytest
from django.urls import reverse

from accounts.models import Role
from matchmaking.models import RosterMembership
from tests.factories import OrganisationFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def page(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_the_provider_roster_page_lists_buyers_with_status_badges(client, provider):
    RosterMembershipFactory(
        provider=provider.organisation, buyer__name="Luna Live", status="active"
    )
    RosterMembershipFactory(
        provider=provider.organisation, buyer__name="Sunny Streams", status="invited"
    )

    response = page(client, provider, reverse("roster:index"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Luna Live" in html and "Sunny Streams" in html
    assert '<span class="badge status-active">Active</span>' in html
    assert '<span class="badge status-invited">Invited</span>' in html
    assert f'hx-get="{reverse("roster:suggestions")}"' in html
    assert "Withdraw invitation" in html


def test_the_roster_page_filters_by_status(client, provider):
    RosterMembershipFactory(provider=provider.organisation, buyer__name="Luna", status="active")
    RosterMembershipFactory(provider=provider.organisation, buyer__name="Sunny", status="ended")

    html = page(client, provider, reverse("roster:index"), status="ended").content.decode()

    assert "Sunny" in html and "Luna" not in html
    assert '<a href="/roster/">All</a>' in html
    assert '<a href="?status=ended" aria-current="true" class="active">Ended</a>' in html


def test_buyer_suggestions_show_matches_with_an_invite_button(client, provider):
    found = OrganisationFactory(role=Role.BUYER, name="Luna Live")
    taken = OrganisationFactory(role=Role.BUYER, name="Luna Nights")
    RosterMembershipFactory(provider=provider.organisation, buyer=taken, status="invited")
    OrganisationFactory(role=Role.BUYER, name="Sunny Streams")

    response = page(client, provider, reverse("roster:suggestions"), q="luna")

    html = response.content.decode()
    assert f'name="buyer" value="{found.pk}"' in html
    assert f'name="buyer" value="{taken.pk}"' not in html
    assert "already invited or on your roster" in html
    assert "Sunny" not in html


def test_buyer_suggestions_say_when_nothing_matches(client, provider):
    html = page(client, provider, reverse("roster:suggestions"), q="zzz").content.decode()

    assert "No active buyer is called" in html


def test_the_roster_page_shows_suggestions_without_javascript(client, provider):
    found = OrganisationFactory(role=Role.BUYER, name="Luna Live")

    html = page(client, provider, reverse("roster:index"), q="luna").content.decode()

    assert f'name="buyer" value="{found.pk}"' in html


def test_inviting_through_htmx_answers_the_refreshed_roster(client, provider):
    buyer = OrganisationFactory(role=Role.BUYER, name="Luna Live")
    client.force_login(provider)

    response = client.post(reverse("roster:index"), {"buyer": buyer.pk}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Luna Live is invited." in html
    assert '<span class="badge status-invited">Invited</span>' in html
    assert RosterMembership.objects.get().buyer == buyer


def test_inviting_without_htmx_redirects_back(client, provider):
    buyer = OrganisationFactory(role=Role.BUYER)
    client.force_login(provider)

    response = client.post(reverse("roster:index"), {"buyer": buyer.pk})

    assert response.status_code == 302
    assert RosterMembership.objects.filter(buyer=buyer, status="invited").exists()


def test_inviting_twice_shows_the_error(client, provider):
    membership = RosterMembershipFactory(provider=provider.organisation)
    client.force_login(provider)

    response = client.post(reverse("roster:index"), {"buyer": membership.buyer_id}, **HTMX)

    assert "This buyer is already invited or on your roster." in response.content.decode()
    assert RosterMembership.objects.count() == 1


def test_a_pending_provider_cannot_invite(client, pending_provider):
    buyer = OrganisationFactory(role=Role.BUYER)
    client.force_login(pending_provider)

    response = client.post(reverse("roster:index"), {"buyer": buyer.pk})
    html = client.get(reverse("roster:index")).content.decode()

    assert response.status_code == 403
    assert not RosterMembership.objects.exists()
    assert "once an operator approves your organisation" in html


def test_the_provider_ends_a_membership(client, provider):
    membership = RosterMembershipFactory(provider=provider.organisation, buyer__name="Luna")
    client.force_login(provider)

    response = client.post(reverse("roster:end", args=[membership.pk]), follow=True)

    membership.refresh_from_db()
    assert membership.status == "ended"
    assert "The membership with Luna has ended." in response.content.decode()


def test_the_buyer_sees_invitations_and_accepts(client, buyer):
    membership = RosterMembershipFactory(
        buyer=buyer.organisation, provider__name="Bright Picks", status="invited"
    )

    html = page(client, buyer, reverse("roster:index")).content.decode()
    response = client.post(reverse("roster:accept", args=[membership.pk]), follow=True)

    assert "Bright Picks" in html
    assert reverse("roster:accept", args=[membership.pk]) in html
    membership.refresh_from_db()
    assert membership.status == "active"
    assert "You are now on Bright Picks&#x27;s roster." in response.content.decode()


def test_the_buyer_declines_an_invitation(client, buyer):
    membership = RosterMembershipFactory(buyer=buyer.organisation, status="invited")
    client.force_login(buyer)

    client.post(reverse("roster:end", args=[membership.pk]))

    membership.refresh_from_db()
    assert membership.status == "ended"
    assert membership.ended_by == buyer.organisation


def test_accepting_twice_shows_the_conflict(client, buyer):
    membership = RosterMembershipFactory(buyer=buyer.organisation, status="active")
    client.force_login(buyer)

    response = client.post(reverse("roster:accept", args=[membership.pk]), follow=True)

    assert "Only an open invitation can be accepted." in response.content.decode()


def test_the_provider_cannot_accept_in_the_portal(client, provider):
    membership = RosterMembershipFactory(provider=provider.organisation, status="invited")
    client.force_login(provider)

    assert client.post(reverse("roster:accept", args=[membership.pk])).status_code == 403


def test_other_organisations_get_404(client, member_factory):
    membership = RosterMembershipFactory(status="invited")
    for role in (Role.PROVIDER, Role.BUYER):
        client.force_login(member_factory(role))
        assert client.post(reverse("roster:end", args=[membership.pk])).status_code == 404
    assert client.post(reverse("roster:accept", args=[membership.pk])).status_code == 404
    membership.refresh_from_db()
    assert membership.status == "invited"


def test_wrong_roles_get_403(client, merchant, buyer):
    client.force_login(merchant)
    assert client.get(reverse("roster:index")).status_code == 403
    client.force_login(buyer)
    assert client.get(reverse("roster:suggestions"), {"q": "a"}).status_code == 403


def test_the_roster_page_runs_a_bounded_number_of_queries(
    client, provider, django_assert_max_num_queries
):
    for _ in range(25):
        RosterMembershipFactory(provider=provider.organisation, status="ended")
    client.force_login(provider)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("roster:index"))

    assert response.content.decode().count("status-ended") == 25


@pytest.mark.parametrize(
    ("role", "labels"),
    [
        (Role.PROVIDER, ["Buyer roster", "Assortments"]),
        (Role.BUYER, ["Service providers", "Shared assortments"]),
    ],
)
def test_the_navigation_shows_the_entries_of_the_role(client, member_factory, role, labels):
    html = page(client, member_factory(role), reverse("home")).content.decode()

    for label in labels:
        assert f">{label}</a>" in html
