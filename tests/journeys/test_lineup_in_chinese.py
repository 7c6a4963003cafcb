"""A buyer who works in Chinese reorders a livestream's lineup by dragging it, in a browser:
SortableJS moves the row, htmx posts the new order, and a reload shows it saved."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from influencers.services.livestreams import SlotPlan, create_livestream
from tests.factories import PASSWORD, CampaignFactory, EnrollmentFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

TITLES = ["羊绒围巾 Cashmere scarf", "真丝衬衫 Silk shirt", "羊毛大衣 Wool coat"]


@pytest.fixture
def lineup(buyer):
    campaign = CampaignFactory(status="ongoing", promotion_start=timezone.localdate())
    RosterMembershipFactory(provider=campaign.provider, buyer=buyer.organisation)
    enrollments = [
        EnrollmentFactory(
            status="approved",
            campaign=campaign,
            product__title=title,
            product__price=Decimal("199.00"),
            commission_rate=Decimal("0.2000"),
        )
        for title in TITLES
    ]
    return create_livestream(
        by=buyer,
        title="周五冬季专场",
        scheduled_at=timezone.now() + timedelta(days=2),
        slots=[SlotPlan(enrollment_id=enrollment.pk) for enrollment in enrollments],
    )


def slot_titles(page) -> list[str]:
    return [text.split(" ¥")[0] for text in page.locator("ol.lineup .title").all_inner_texts()]


def test_a_buyer_drags_the_coat_to_the_top_of_the_lineup(new_page, screens, buyer, lineup):
    page = new_page()
    page.goto("/accounts/login/")
    page.fill("#id_login", buyer.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url("**/")
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("nav")).to_contain_text("直播")

    page.goto(f"/livestreams/{lineup.pk}/")
    expect(page.locator("h1")).to_contain_text("周五冬季专场")
    assert slot_titles(page) == TITLES
    screens.shoot(page, "lineup-before")

    coat = page.locator("ol.lineup li", has_text="Wool coat").locator(".drag-handle")
    with page.expect_response(f"**/livestreams/{lineup.pk}/reorder/") as saved:
        coat.drag_to(page.locator("ol.lineup li").first, target_position={"x": 5, "y": 2})
    assert saved.value.status == 200
    page.reload()
    assert slot_titles(page) == [TITLES[2], TITLES[0], TITLES[1]]
    expect(page.locator("ol.lineup li .position").first).to_have_text("1")
    screens.shoot(page, "lineup-after-drag")
