"""Each role's home shows the counts of what needs doing, and links to it."""

import pytest
from django.utils import timezone

from influencers.models import SampleRequest
from tests.factories import EnrollmentFactory, RosterMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def tile(page: str, label: str) -> str:
    """The figure shown in the tile with this label."""
    end = page.index(f'<span class="label">{label}</span>')
    start = page.rindex('<span class="figure">', 0, end) + len('<span class="figure">')
    return page[start : page.index("</span>", start)]


def test_the_provider_dashboard_counts_its_work(client, provider, django_assert_max_num_queries):
    EnrollmentFactory(campaign__provider=provider.organisation)
    EnrollmentFactory(campaign__provider=provider.organisation)
    EnrollmentFactory()  # another provider's
    RosterMembershipFactory(provider=provider.organisation)
    RosterMembershipFactory(provider=provider.organisation, status="invited")
    client.force_login(provider)

    with django_assert_max_num_queries(14):
        page = client.get("/").content.decode()

    assert tile(page, "Enrollments to review") == "2"
    assert tile(page, "Open for registration") == "2"
    assert tile(page, "Buyers on your roster") == "1"
    assert tile(page, "Invitations waiting") == "1"


def test_the_merchant_home_counts_samples_to_answer(client, buyer):
    enrollment = EnrollmentFactory(status="approved")
    SampleRequest.objects.create(
        buyer=buyer.organisation, enrollment=enrollment, approve_by=timezone.now()
    )
    merchant = UserFactory(organisation=enrollment.product.merchant)
    client.force_login(merchant)

    page = client.get("/").content.decode()

    assert tile(page, "Sample requests to answer") == "1"
    assert tile(page, "Active products") == "1"


def test_the_buyer_home_counts_invitations(client, buyer):
    RosterMembershipFactory(buyer=buyer.organisation, status="invited")
    client.force_login(buyer)

    page = client.get("/").content.decode()

    assert tile(page, "Roster invitations") == "1"
    assert tile(page, "Items you can promote now") == "0"
