"""Portal pages of campaigns: what each role sees and can do."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from matchmaking.models import Campaign
from tests.factories import CampaignFactory, EnrollmentFactory, ProductFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


def form_data(**overrides) -> dict:
    data = {
        "name": "Spring dresses",
        "categories": [category("womens-clothing").pk],
        "registration_start": "2026-03-01",
        "registration_end": "2026-03-10",
        "promotion_start": "2026-03-11",
        "promotion_end": "2026-04-10",
        "min_commission_rate": "20",
        "service_fee_rate": "10.5",
        "settlement_delay_days": "15",
        "attribution_window_days": "7",
        "min_merchant_rating": "",
    }
    data.update(overrides)
    return data


def test_a_provider_drafts_a_campaign_with_rates_in_percent(client, provider):
    client.force_login(provider)

    response = client.post(reverse("campaign-create"), form_data())

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("campaign-detail", args=[campaign.pk])
    assert str(campaign.min_commission_rate) == "0.2000"
    assert str(campaign.service_fee_rate) == "0.1050"
    assert campaign.status == "draft"
    assert [c.slug for c in campaign.categories.all()] == ["womens-clothing"]
    page = client.get(response.url).content.decode()
    assert "20 %" in page and "10.5 %" in page
    assert "Open for registration" in page


def test_the_form_shows_each_rule_on_its_field(client, provider):
    client.force_login(provider)

    response = client.post(
        reverse("campaign-create"),
        form_data(min_commission_rate="55", registration_end="2026-04-20"),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["min_commission_rate"] == [
        "The minimum commission rate can be at most 50 %."
    ]
    assert form.errors["registration_end"] == [
        "Registration must end no later than the promotion ends (2026-04-10)."
    ]
    assert not Campaign.objects.exists()


def test_open_and_close_buttons_move_the_campaign(client, provider):
    campaign = CampaignFactory(provider=provider.organisation, status="draft")
    client.force_login(provider)

    client.post(reverse("campaign-open", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == "open"
    page = client.get(reverse("campaign-detail", args=[campaign.pk])).content.decode()
    assert "Close campaign" in page

    client.post(reverse("campaign-close", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == "closed"


def test_opening_twice_shows_the_conflict_as_a_message(client, provider):
    campaign = CampaignFactory(provider=provider.organisation, status="open")
    client.force_login(provider)

    response = client.post(reverse("campaign-open", args=[campaign.pk]), follow=True)

    assert "Only a draft campaign can be opened; this one is open." in response.content.decode()


def test_editing_an_open_campaign_keeps_its_rates_fixed(client, provider):
    campaign = CampaignFactory(provider=provider.organisation)
    client.force_login(provider)
    page = client.get(reverse("campaign-edit", args=[campaign.pk]))
    assert page.context["form"].fields["min_commission_rate"].disabled

    response = client.post(
        reverse("campaign-edit", args=[campaign.pk]),
        form_data(name="Renamed", min_commission_rate="45"),
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Renamed"
    assert str(campaign.min_commission_rate) == "0.2000"


def test_another_provider_gets_404_on_every_campaign_page(client, provider, member_factory):
    campaign = CampaignFactory(provider=provider.organisation, status="draft")
    client.force_login(member_factory(Role.PROVIDER))

    for name in ("campaign-detail", "campaign-edit"):
        assert client.get(reverse(name, args=[campaign.pk])).status_code == 404
    for name in ("campaign-open", "campaign-close"):
        assert client.post(reverse(name, args=[campaign.pk])).status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == "draft"


@pytest.mark.parametrize("role", [Role.MERCHANT, Role.BUYER])
def test_merchants_and_buyers_cannot_open_provider_pages(client, member_factory, role):
    campaign = CampaignFactory()
    client.force_login(member_factory(role))

    assert client.get(reverse("campaign-create")).status_code == 403
    assert client.get(reverse("campaign-edit", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("campaign-close", args=[campaign.pk])).status_code == 403


def test_a_pending_provider_cannot_create_through_the_portal(client, pending_provider):
    client.force_login(pending_provider)

    assert client.post(reverse("campaign-create"), form_data()).status_code == 403
    assert not Campaign.objects.exists()


def test_merchants_see_campaigns_open_for_registration_with_an_enroll_link(client, merchant):
    open_one = CampaignFactory(name="Open one")
    CampaignFactory(name="Registration over", registration_end=date(2026, 3, 1))
    CampaignFactory(name="Still a draft", status="draft")
    client.force_login(merchant)

    page = client.get(reverse("campaigns")).content.decode()

    assert "Open one" in page
    assert f"{reverse('enrollment-create')}?campaign={open_one.pk}" in page
    assert "Registration over" not in page
    assert "Still a draft" not in page


def test_buyers_see_open_and_ongoing_campaigns(client, buyer):
    CampaignFactory(name="Running now", promotion_start=date(2026, 3, 1))
    CampaignFactory(name="Long gone", status="closed")
    client.force_login(buyer)

    page = client.get(reverse("campaigns")).content.decode()

    assert "Running now" in page and "Ongoing" in page
    assert "Long gone" not in page


def test_the_provider_detail_lists_enrollments_with_terminate_and_reoffer(
    client, provider, merchant
):
    campaign = CampaignFactory(provider=provider.organisation)
    approved = EnrollmentFactory(
        campaign=campaign, product=ProductFactory(merchant=merchant.organisation), status="approved"
    )
    client.force_login(provider)

    page = client.get(reverse("campaign-detail", args=[campaign.pk])).content.decode()

    assert approved.product.sku in page
    assert reverse("enrollment-terminate", args=[approved.pk]) in page
    assert reverse("enrollment-reoffer", args=[approved.pk]) in page


def test_campaign_pages_take_a_bounded_number_of_queries(
    client, provider, merchant, django_assert_max_num_queries
):
    for _ in range(10):
        campaign = CampaignFactory(provider=provider.organisation)
        campaign.categories.set([category("home"), category("bags")])
        for _ in range(3):
            EnrollmentFactory(campaign=campaign)
    for member in (provider, merchant):
        client.force_login(member)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("campaigns")).status_code == 200
    client.force_login(provider)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("campaign-detail", args=[campaign.pk])).status_code == 200
