"""Shared builders of the recommendation tests: an ongoing campaign, roster buyers with profiles."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from influencers.models import BuyerProfile
from tests.factories import (
    CampaignFactory,
    EnrollmentFactory,
    ProductFactory,
    RosterMembershipFactory,
    category,
)


def ongoing_campaign(provider):
    today = timezone.localdate()
    return CampaignFactory(
        provider=provider, registration_start=today - timedelta(days=20),
        registration_end=today - timedelta(days=5), promotion_start=today - timedelta(days=1),
        promotion_end=today + timedelta(days=30), status="ongoing",
    )  # fmt: skip


def profile(buyer_org, *, units=100, low="50.00", high="300.00", slugs=("womens-clothing",)):
    made = BuyerProfile.objects.create(
        organisation=buyer_org, typical_units_per_livestream=units,
        price_band_min=Decimal(low), price_band_max=Decimal(high),
    )  # fmt: skip
    made.categories.set([category(slug) for slug in slugs])
    return made


def on_roster(provider, buyer_org):
    return RosterMembershipFactory(provider=provider, buyer=buyer_org, status="active")


def item(campaign, *, price="129.00", stock=500, rate="0.2000", slug="womens-clothing"):
    product = ProductFactory(category=category(slug), price=Decimal(price))
    return EnrollmentFactory(
        campaign=campaign, product=product, status="approved", campaign_price=Decimal(price),
        promotion_stock=stock, commission_rate=Decimal(rate),
    )  # fmt: skip
