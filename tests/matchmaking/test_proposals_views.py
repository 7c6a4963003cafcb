"""The proposals pages: providers propose and see their acceptance rate; buyers answer by htmx."""

import pytest

from accounts.models import Role
from matchmaking.models import AssortmentItem, MatchProposal
from tests.factories import PASSWORD, CampaignFactory, EnrollmentFactory, RosterMembershipFactory

URL = "/proposals/"


def signed_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def setup(provider, buyer):
    campaign = CampaignFactory(provider=provider.organisation)
    enrollments = [EnrollmentFactory(campaign=campaign, status="approved") for _ in range(3)]
    RosterMembershipFactory(provider=provider.organisation, buyer=buyer.organisation)
    return enrollments


def test_it_proposes_several_items_from_the_form(client, provider, buyer, setup):
    response = signed_in(client, provider).post(
        URL,
        {"buyer": buyer.organisation.pk, "enrollments": [setup[0].pk, setup[2].pk], "note": "Hi"},
        follow=True,
    )
    assert response.status_code == 200
    assert "2 item(s) proposed." in response.content.decode()
    assert set(MatchProposal.objects.values_list("enrollment_id", flat=True)) == {
        setup[0].pk,
        setup[2].pk,
    }


def test_it_shows_form_errors(client, provider, buyer, setup):
    response = signed_in(client, provider).post(URL, {"buyer": buyer.organisation.pk})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not MatchProposal.objects.exists()


def test_it_shows_the_provider_its_acceptance_rate(
    client, provider, buyer, setup, django_assert_max_num_queries
):
    for enrollment, status in zip(setup, ["accepted", "declined", "declined"], strict=True):
        MatchProposal.objects.create(
            provider=provider.organisation, buyer=buyer.organisation, enrollment=enrollment,
            status=status,
        )  # fmt: skip
    signed_in(client, provider)
    with django_assert_max_num_queries(15):
        response = client.get(URL)
    page = response.content.decode()
    assert "33 %" in page
    assert "1 accepted, 2 declined, 0 waiting for an answer." in page


def test_it_lets_the_buyer_accept_by_htmx(client, provider, buyer, setup):
    proposal = MatchProposal.objects.create(
        provider=provider.organisation, buyer=buyer.organisation, enrollment=setup[0]
    )
    signed_in(client, buyer)
    page = client.get(URL).content.decode()
    assert f'hx-post="/proposals/{proposal.pk}/accept/"' in page
    response = client.post(f"{URL}{proposal.pk}/accept/", HTTP_HX_REQUEST="true")
    row = response.content.decode()
    assert row.lstrip().startswith(f'<tr id="proposal-{proposal.pk}"')
    assert "is in your shared assortment now." in row
    assert "status-accepted" in row
    assert AssortmentItem.objects.filter(enrollment=setup[0]).count() == 1
    again = client.post(f"{URL}{proposal.pk}/decline/", HTTP_HX_REQUEST="true").content.decode()
    assert "This proposal is already accepted." in again


def test_it_hides_the_page_from_merchants_and_others_rows(
    client, merchant, member_factory, setup, provider, buyer
):
    proposal = MatchProposal.objects.create(
        provider=provider.organisation, buyer=buyer.organisation, enrollment=setup[0]
    )
    assert signed_in(client, merchant).get(URL).status_code == 403
    other = member_factory(Role.BUYER)
    assert signed_in(client, other).post(f"{URL}{proposal.pk}/accept/").status_code == 404
    assert signed_in(client, provider).post(f"{URL}{proposal.pk}/accept/").status_code == 403


def test_it_refuses_proposals_from_a_pending_provider(client, pending_provider):
    assert signed_in(client, pending_provider).post(URL, {}).status_code == 403
