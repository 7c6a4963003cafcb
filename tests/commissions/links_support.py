"""Shared set-up of the link, redirect and click tests."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import EnrollmentFactory, RosterMembershipFactory

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)


def promotable_enrollment(buyer_organisation, **kwargs):
    """An approved enrollment of an ongoing campaign of a provider the buyer works with."""
    enrollment = EnrollmentFactory(
        status="approved",
        campaign__promotion_start=timezone.localdate() - timedelta(days=1),
        **kwargs,
    )
    RosterMembershipFactory(provider=enrollment.campaign.provider, buyer=buyer_organisation)
    return enrollment
