"""A livestream's generate-links action and the lineup page's links."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commissions.models import AffiliateLink
from influencers.models import LineupSlot, Livestream
from tests.commissions.links_support import promotable_enrollment
from tests.factories import AffiliateLinkFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lineup(buyer):
    """Three slots: two promotable items, and one whose campaign has ended since."""
    livestream = Livestream.objects.create(
        buyer=buyer.organisation, title="Friday", scheduled_at=timezone.now() + timedelta(days=1)
    )
    first = promotable_enrollment(buyer.organisation)
    second = EnrollmentFactory(status="approved", campaign=first.campaign)
    ended = promotable_enrollment(buyer.organisation)
    ended.campaign.promotion_end = timezone.localdate() - timedelta(days=1)
    ended.campaign.save()
    for position, enrollment in enumerate((first, second, ended), start=1):
        LineupSlot.objects.create(livestream=livestream, enrollment=enrollment, position=position)
    return livestream


def generate(api, user, livestream):
    return api.as_member(user).post(f"/api/v1/livestreams/{livestream.pk}/generate-links/")


def test_it_makes_every_slots_link_at_once_and_reports_the_skipped(api, buyer, lineup):
    slots = list(lineup.slots.order_by("position"))
    existing = AffiliateLinkFactory(buyer=buyer.organisation, enrollment=slots[1].enrollment)

    response = generate(api, buyer, lineup)

    assert response.status_code == 200
    body = response.json()
    links = {link.enrollment_id: link for link in AffiliateLink.objects.all()}
    assert set(links) == {slots[0].enrollment_id, slots[1].enrollment_id}
    assert links[slots[1].enrollment_id].code == existing.code
    assert body["livestream"] == lineup.pk
    assert [(s["id"], s["position"], s["enrollment"]) for s in body["slots"]] == [
        (slot.pk, slot.position, slot.enrollment_id) for slot in slots
    ]
    assert [s["link"]["code"] if s["link"] else None for s in body["slots"]] == [
        links[slots[0].enrollment_id].code, existing.code, None,
    ]  # fmt: skip
    assert body["slots"][0]["link"]["url"] == (
        f"http://testserver/l/{links[slots[0].enrollment_id].code}"
    )
    assert body["skipped"] == [{
        "id": slots[2].pk, "position": 3, "enrollment": slots[2].enrollment_id,
        "message": "You cannot promote this item any more.",
    }]  # fmt: skip


def test_it_is_idempotent(api, buyer, lineup):
    first = generate(api, buyer, lineup).json()

    second = generate(api, buyer, lineup).json()

    assert second == first
    assert AffiliateLink.objects.count() == 2


def test_it_takes_a_bounded_number_of_queries(api, buyer, django_assert_max_num_queries):
    livestream = Livestream.objects.create(
        buyer=buyer.organisation, title="Big", scheduled_at=timezone.now() + timedelta(days=1)
    )
    first = promotable_enrollment(buyer.organisation)
    for position in range(1, 41):
        enrollment = EnrollmentFactory(status="approved", campaign=first.campaign)
        LineupSlot.objects.create(livestream=livestream, enrollment=enrollment, position=position)
    client = api.as_member(buyer)

    with django_assert_max_num_queries(20):
        body = client.post(f"/api/v1/livestreams/{livestream.pk}/generate-links/").json()

    assert len([s for s in body["slots"] if s["link"]]) == 40


def test_another_buyers_livestream_is_not_found(api, buyer, lineup, member_factory):
    other = member_factory("buyer")

    assert generate(api, other, lineup).status_code == 404
    assert not AffiliateLink.objects.exists()


def test_other_roles_cannot_generate_links(api, merchant, provider, lineup):
    for user in (merchant, provider):
        assert generate(api, user, lineup).status_code == 403


def test_the_lineup_page_has_the_button_and_shows_each_slots_link(client, buyer, lineup):
    client.force_login(buyer)
    page = client.get(f"/livestreams/{lineup.pk}/").content.decode()
    assert "Generate links" in page
    assert "/l/" not in page

    response = client.post(f"/links/livestreams/{lineup.pk}/generate/", follow=True)

    page = response.content.decode()
    assert "Links are ready for 2 slot(s)." in page
    assert "No link for #3: you cannot promote these items any more." in page
    for link in AffiliateLink.objects.all():
        assert f'value="http://testserver/l/{link.code}"' in page
        assert f'data-copy="http://testserver/l/{link.code}"' in page
    assert page.count('class="segno"') == 2  # one QR code per link
    assert "js/copy-link.js" in page


def test_the_lineup_button_does_nothing_for_another_buyer(client, lineup, member_factory):
    client.force_login(member_factory("buyer"))

    assert client.post(f"/links/livestreams/{lineup.pk}/generate/").status_code == 404
    assert not AffiliateLink.objects.exists()
