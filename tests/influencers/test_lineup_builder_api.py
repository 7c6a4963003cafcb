"""`POST /api/v1/livestreams/{id}/build/`: the builder replaces a draft's lineup, explained."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from influencers.models import BuyerProfile, LineupSlot, Livestream
from tests.factories import (
    PASSWORD,
    CampaignFactory,
    EnrollmentFactory,
    RosterMembershipFactory,
    category,
)


@pytest.fixture
def catalogue(buyer):
    """Twelve promotable items of an ongoing campaign: six dresses, six home items."""
    today = timezone.localdate()
    campaign = CampaignFactory(
        promotion_start=today - timedelta(days=1), promotion_end=today + timedelta(days=20)
    )
    RosterMembershipFactory(provider=campaign.provider, buyer=buyer.organisation)
    BuyerProfile.objects.create(organisation=buyer.organisation, typical_units_per_livestream=60)
    items = []
    for i in range(12):
        slug = "womens-clothing" if i % 2 else "home"
        items.append(
            EnrollmentFactory(
                campaign=campaign, status="approved", product__category=category(slug),
                campaign_price=Decimal(20 + 10 * i), commission_rate=Decimal("0.2000"),
                promotion_stock=5 if i == 11 else 200,
            )
        )  # fmt: skip
    return items


@pytest.fixture
def draft(buyer):
    return Livestream.objects.create(
        buyer=buyer.organisation, title="Friday", scheduled_at=timezone.now() + timedelta(days=2)
    )


def url(livestream):
    return f"/api/v1/livestreams/{livestream.pk}/build/"


def test_it_replaces_the_lineup_with_explained_picks(api, buyer, catalogue, draft):
    LineupSlot.objects.create(livestream=draft, enrollment=catalogue[0], position=1)
    response = api.as_member(buyer).post(url(draft), {"slots": 5}, format="json")
    assert response.status_code == 200, response.data
    slots = response.data["slots"]
    assert len(slots) == 5
    assert [s["position"] for s in slots] == [1, 2, 3, 4, 5]
    assert slots[0]["role"] == "traffic"
    assert slots[-1]["role"] == "margin"
    # 60 typical units over 5 slots, 20 % headroom: 15 units each, within stock
    assert {s["target_units"] for s in slots} == {15}
    assert catalogue[11].pk not in [s["enrollment"] for s in slots]  # stock 5 < 8 minimum
    assert LineupSlot.objects.filter(livestream=draft).count() == 5
    explained = response.data["explanations"]
    assert [e["enrollment"] for e in explained] == [s["enrollment"] for s in slots]
    assert all(e["reasons"] for e in explained)
    assert response.data["notes"][0]["kind"] == "stock"


def test_it_keeps_the_category_mix_and_reports_what_it_cannot_meet(api, buyer, catalogue, draft):
    body = {
        "slots": 10,
        "category_mix": [{"category": "home", "min_share": "0.2", "max_share": "0.3"}],
    }
    response = api.as_member(buyer).post(url(draft), body, format="json")
    assert response.status_code == 200
    home = list(draft.slots.select_related("enrollment__product__category"))
    assert sum(s.enrollment.product.category.slug == "home" for s in home) == 3
    kinds = [n["kind"] for n in response.data["notes"]]
    assert "short" in kinds  # 3 home + 5 usable dresses = 8 of 10


def test_it_refuses_more_than_120_slots_and_bad_rules(api, buyer, catalogue, draft):
    member = api.as_member(buyer)
    assert member.post(url(draft), {"slots": 121}, format="json").status_code == 400
    assert member.post(url(draft), {"slots": 0}, format="json").status_code == 400
    unknown = {"slots": 5, "category_mix": [{"category": "nope"}]}
    response = member.post(url(draft), unknown, format="json")
    assert response.status_code == 400
    assert response.data == {"category_mix": ["Unknown category nope."]}
    crossed = {
        "slots": 5,
        "category_mix": [{"category": "home", "min_share": "0.6", "max_share": "0.2"}],
    }
    assert member.post(url(draft), crossed, format="json").status_code == 400
    assert (
        member.post(url(draft), {"slots": 5, "new_share": "1.5"}, format="json").status_code == 400
    )


def test_it_fills_at_most_120_slots(api, buyer, catalogue, draft):
    response = api.as_member(buyer).post(url(draft), {"slots": 120}, format="json")
    assert response.status_code == 200
    # 60 units over 120 slots: 1 unit each, so even the item with 5 in stock fits
    assert len(response.data["slots"]) == 12
    assert {n["kind"] for n in response.data["notes"]} == {"short"}
    assert response.data["notes"][0]["message"] == (
        "Only 12 of 120 slots could be filled under your rules."
    )


def test_it_builds_only_a_draft(api, buyer, catalogue, draft):
    draft.status = Livestream.Status.CONFIRMED
    draft.save()
    response = api.as_member(buyer).post(url(draft), {"slots": 3}, format="json")
    assert response.status_code == 409
    assert response.data == {"detail": "Only a draft livestream's lineup can be built."}


def test_it_hides_other_buyers_livestreams_and_refuses_other_roles(
    api, draft, member_factory, provider
):
    other = member_factory(Role.BUYER)
    assert api.as_member(other).post(url(draft), {"slots": 3}, format="json").status_code == 404
    assert api.as_member(provider).post(url(draft), {"slots": 3}, format="json").status_code == 403


def test_it_refuses_a_pending_buyer(api, member_factory):
    pending = member_factory(Role.BUYER, status="pending")
    livestream = Livestream.objects.create(
        buyer=pending.organisation, title="x", scheduled_at=timezone.now()
    )
    assert (
        api.as_member(pending).post(url(livestream), {"slots": 3}, format="json").status_code == 403
    )


def test_it_marks_items_already_in_past_lineups_as_not_new(api, buyer, catalogue, draft):
    past = Livestream.objects.create(
        buyer=buyer.organisation, title="Past", scheduled_at=timezone.now() - timedelta(days=9)
    )
    for position, enrollment in enumerate(catalogue[:10], start=1):
        LineupSlot.objects.create(livestream=past, enrollment=enrollment, position=position)
    body = {"slots": 4, "new_share": "0.25"}
    response = api.as_member(buyer).post(url(draft), body, format="json")
    assert response.status_code == 200
    assert catalogue[10].pk in [s["enrollment"] for s in response.data["slots"]]


def test_it_builds_from_the_livestream_page(client, buyer, catalogue, draft):
    client.login(username=buyer.username, password=PASSWORD)
    page = client.get(f"/livestreams/{draft.pk}/").content.decode()
    assert "Build lineup" in page
    response = client.post(
        f"/livestreams/{draft.pk}/lineup/build/",
        {"slots": 4, "new_share": 0, "category": "home", "min_share": 50, "max_share": 50},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The lineup now has 4 slot(s)." in html
    assert "Traffic item" in html
    slugs = [s.enrollment.product.category.slug for s in draft.slots.all()]
    assert slugs.count("home") == 2
    bad = client.post(f"/livestreams/{draft.pk}/lineup/build/", {"slots": 500}, follow=True)
    assert "Give 1 to 120 slots" in bad.content.decode()
