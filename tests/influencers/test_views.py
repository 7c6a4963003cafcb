from datetime import timedelta

import pytest
from django.utils import timezone

from influencers.models import LineupSlot, Livestream, SampleRequest
from tests.factories import CampaignFactory, EnrollmentFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ongoing_item(buyer):
    campaign = CampaignFactory(status="ongoing", promotion_start=timezone.localdate())
    RosterMembershipFactory(provider=campaign.provider, buyer=buyer.organisation)
    return EnrollmentFactory(status="approved", campaign=campaign, product__title="Silk scarf")


def livestream_for(buyer, *enrollments):
    live = Livestream.objects.create(
        buyer=buyer.organisation, title="Friday", scheduled_at=timezone.now() + timedelta(days=1)
    )
    for position, enrollment in enumerate(enrollments, start=1):
        LineupSlot.objects.create(livestream=live, enrollment=enrollment, position=position)
    return live


def test_the_catalogue_page_shows_cards_and_filters_with_htmx(
    client, buyer, ongoing_item, django_assert_max_num_queries
):
    client.force_login(buyer)

    page = client.get("/catalogue/").content.decode()
    assert "Silk scarf" in page
    with django_assert_max_num_queries(12):
        partial = client.get("/catalogue/?search=nothing-like-this", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert "Silk scarf" not in partial.content.decode()


def test_requesting_a_sample_from_a_card(client, buyer, ongoing_item):
    client.force_login(buyer)

    response = client.post(
        "/samples/request/", {"enrollment": ongoing_item.pk}, HTTP_HX_REQUEST="true"
    )

    assert "Sample requested." in response.content.decode()
    assert SampleRequest.objects.get().enrollment == ongoing_item


def test_the_merchant_queue_bulk_approves_and_ships(client, buyer, ongoing_item, member_factory):
    from tests.factories import UserFactory

    sample = SampleRequest.objects.create(
        buyer=buyer.organisation,
        enrollment=ongoing_item,
        approve_by=timezone.now() + timedelta(days=3),
    )
    merchant = UserFactory(organisation=ongoing_item.product.merchant)
    client.force_login(merchant)

    assert buyer.organisation.name in client.get("/samples/").content.decode()
    client.post("/samples/", {"ids": [sample.pk]})
    sample.refresh_from_db()
    assert sample.status == "approved"
    client.post(f"/samples/{sample.pk}/ship/", {"carrier": "SF", "tracking_number": "SF9"})
    sample.refresh_from_db()
    assert (sample.status, sample.tracking_number) == ("shipped", "SF9")


def test_another_merchant_cannot_touch_the_sample(client, buyer, ongoing_item, member_factory):
    sample = SampleRequest.objects.create(
        buyer=buyer.organisation, enrollment=ongoing_item, approve_by=timezone.now()
    )
    client.force_login(member_factory("merchant"))

    assert client.post(f"/samples/{sample.pk}/approve/").status_code == 404
    sample.refresh_from_db()
    assert sample.status == "requested"


def test_lineup_page_reorders_with_htmx(client, buyer, ongoing_item):
    second = EnrollmentFactory(
        status="approved", campaign=ongoing_item.campaign, product__title="Tote bag"
    )
    live = livestream_for(buyer, ongoing_item, second)
    slots = list(live.slots.order_by("position").values_list("pk", flat=True))
    client.force_login(buyer)

    page = client.get(f"/livestreams/{live.pk}/").content.decode()
    assert page.index("Silk scarf") < page.index("Tote bag")
    partial = client.post(
        f"/livestreams/{live.pk}/reorder/", {"slot": [slots[1], slots[0]]}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.index("Tote bag") < partial.index("Silk scarf")
    assert list(live.slots.order_by("position").values_list("pk", flat=True)) == [
        slots[1],
        slots[0],
    ]


def test_adding_from_the_catalogue_and_going_live_locks(client, buyer, ongoing_item):
    live = livestream_for(buyer)
    client.force_login(buyer)

    client.post(
        "/livestreams/add-to-lineup/", {"livestream": live.pk, "enrollment": ongoing_item.pk}
    )
    assert live.slots.count() == 1
    client.post(f"/livestreams/{live.pk}/confirm/")
    client.post(f"/livestreams/{live.pk}/go-live/")
    live.refresh_from_db()
    assert live.status == "live"
    slot = live.slots.get()
    client.post(f"/livestreams/{live.pk}/slots/{slot.pk}/", {"remove": "1"})
    assert live.slots.count() == 1  # locked


def test_another_buyers_livestream_is_404(client, buyer, member_factory):
    live = livestream_for(buyer)
    client.force_login(member_factory("buyer"))

    assert client.get(f"/livestreams/{live.pk}/").status_code == 404
    assert client.post(f"/livestreams/{live.pk}/confirm/").status_code == 404


def test_merchants_cannot_open_buyer_pages(client, merchant):
    client.force_login(merchant)

    assert client.get("/catalogue/").status_code == 403
    assert client.get("/livestreams/").status_code == 403


def test_shipping_by_csv_in_the_portal_lists_bad_rows(client, buyer, ongoing_item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import UserFactory

    sample = SampleRequest.objects.create(
        buyer=buyer.organisation,
        enrollment=ongoing_item,
        status="approved",
        approve_by=timezone.now(),
    )
    client.force_login(UserFactory(organisation=ongoing_item.product.merchant))
    bad = SimpleUploadedFile(
        "ship.csv", f"sample_request,carrier,tracking_number\n{sample.pk},,X\n".encode()
    )

    response = client.post("/samples/ship-import/", {"file": bad})

    assert response.status_code == 400
    assert "Name the carrier." in response.content.decode()
    good = SimpleUploadedFile(
        "ship.csv", f"sample_request,carrier,tracking_number\n{sample.pk},SF,X1\n".encode()
    )
    client.post("/samples/ship-import/", {"file": good})
    sample.refresh_from_db()
    assert sample.status == "shipped"


def test_copying_a_lineup_from_its_page_opens_the_new_draft(client, buyer, ongoing_item):
    live = livestream_for(buyer, ongoing_item)
    client.force_login(buyer)
    starts = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT20:00")

    response = client.post(
        f"/livestreams/{live.pk}/copy/", {"title": "Friday again", "scheduled_at": starts}
    )

    copy = Livestream.objects.exclude(pk=live.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/livestreams/{copy.pk}/"
    assert (copy.title, copy.status, copy.buyer_id) == (
        "Friday again",
        "draft",
        buyer.organisation_id,
    )
    assert list(copy.slots.values_list("enrollment_id", flat=True)) == [ongoing_item.pk]
    assert (
        f'action="/livestreams/{live.pk}/copy/"'
        in client.get(f"/livestreams/{live.pk}/").content.decode()
    )


def test_another_buyer_cannot_copy_the_lineup(client, buyer, ongoing_item, member_factory):
    live = livestream_for(buyer, ongoing_item)
    client.force_login(member_factory("buyer"))

    response = client.post(
        f"/livestreams/{live.pk}/copy/", {"title": "Mine now", "scheduled_at": "2026-12-01T20:00"}
    )

    assert response.status_code == 404
    assert Livestream.objects.count() == 1
