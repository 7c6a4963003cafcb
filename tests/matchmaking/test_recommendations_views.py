"""Provider portal pages of recommendations."""

import pytest

from accounts.models import Role
from tests.factories import OrganisationFactory
from tests.matchmaking.recommendation_helpers import item, on_roster, ongoing_campaign, profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(provider, buyer):
    campaign = ongoing_campaign(provider.organisation)
    profile(buyer.organisation, units=200)
    on_roster(provider.organisation, buyer.organisation)
    return item(campaign, stock=80)


def test_it_ranks_enrollments_for_a_roster_buyer(client, provider, buyer, setup):
    client.force_login(provider)
    response = client.get("/recommendations/", {"buyer": buyer.organisation.pk})
    assert response.status_code == 200
    assert setup.product.title in response.content.decode()
    assert "Stock 80 covers only 40 % of your typical 200 units." in response.content.decode()


def test_it_ranks_buyers_for_an_enrollment(
    client, provider, buyer, setup, django_assert_max_num_queries
):
    client.force_login(provider)
    with django_assert_max_num_queries(25):
        response = client.get("/recommendations/buyers/", {"enrollment": setup.pk})
    assert response.status_code == 200
    assert buyer.organisation.name in response.content.decode()


def test_another_providers_buyer_or_enrollment_is_404(client, member_factory, buyer, setup):
    other = member_factory(Role.PROVIDER)
    client.force_login(other)
    assert client.get("/recommendations/", {"buyer": buyer.organisation.pk}).status_code == 404
    assert client.get("/recommendations/buyers/", {"enrollment": setup.pk}).status_code == 404
    stranger = OrganisationFactory(role=Role.BUYER)
    assert client.get("/recommendations/", {"buyer": stranger.pk}).status_code == 404


def test_other_roles_get_403(client, buyer, merchant):
    for member in (buyer, merchant):
        client.force_login(member)
        assert client.get("/recommendations/").status_code == 403


def test_the_provider_navigation_links_the_page(client, provider):
    client.force_login(provider)
    assert 'href="/recommendations/"' in client.get("/recommendations/").content.decode()
