import pytest

from tests.factories import EnrollmentFactory, RosterMembershipFactory, UserFactory


@pytest.fixture
def reachable(buyer):
    """An approved enrollment the buyer reaches through its provider's roster, and its people."""
    enrollment = EnrollmentFactory(status="approved", product__sample_stock=2)
    RosterMembershipFactory(provider=enrollment.campaign.provider, buyer=buyer.organisation)
    enrollment.merchant_user = UserFactory(organisation=enrollment.product.merchant)
    enrollment.provider_user = UserFactory(organisation=enrollment.campaign.provider)
    return enrollment
