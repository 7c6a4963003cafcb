"""Promotion stops when it should (issue 14.1): a link whose enrollment ended or whose product was
archived still sends the shopper on, but its clicks are recorded as not promotable and its
orders earn nothing, with a reason the merchant sees; the redirect knows at once, not after its
cache's minute; and what is not promotable now is offered nowhere."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from commissions.models import Click, Commission, OrderLine
from matchmaking.models import Assortment
from matchmaking.services.enrollments import terminate_enrollment
from merchants.services import archive_product
from tests.commissions.links_support import CHROME, promotable_enrollment
from tests.commissions.orders_support import line, send
from tests.factories import AffiliateLinkFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clicks_written_directly(settings):
    settings.CLICK_BUFFER_URL = ""


@pytest.fixture
def link():
    return AffiliateLinkFactory(
        enrollment__product__sku="SCARF-1",
        enrollment__product__storefront_url="https://shop.example.com/scarf",
        made_at=timezone.now() - timedelta(days=30),
    )


def visit(client, link):
    response = client.get(f"/l/{link.code}", headers={"User-Agent": CHROME})
    assert response.status_code == 302  # a shopper's click is never an error page
    return parse_qs(urlsplit(response["Location"]).query)["click_id"][0]


def provider_of(link):
    return UserFactory(organisation=link.enrollment.campaign.provider)


def merchant_of(link):
    return UserFactory(organisation=link.enrollment.product.merchant)


def terminate(link, capture):
    with capture(execute=True):
        terminate_enrollment(enrollment_id=link.enrollment_id, by=provider_of(link))


def archive(link, capture):
    with capture(execute=True):
        archive_product(
            product_id=link.enrollment.product_id, merchant=link.enrollment.product.merchant
        )


def test_a_terminated_enrollments_link_still_redirects_but_its_clicks_earn_nothing(
    client, api, link, django_capture_on_commit_callbacks
):
    before = visit(client, link)  # now cached for the link cache's minute
    terminate(link, django_capture_on_commit_callbacks)

    after = visit(client, link)
    paid_at = timezone.now() + timedelta(seconds=5)  # signatures carry whole seconds
    send(api, "e-1", "paid", "SO-1", [line("SCARF-1")], click_id=after,
         occurred_at=paid_at.isoformat())  # fmt: skip

    clicks = {click.click_id: click for click in Click.objects.all()}
    assert (clicks[before].not_promotable, clicks[after].not_promotable) == (
        "", "enrollment_ended"
    )  # fmt: skip
    assert not clicks[after].counted
    found = OrderLine.objects.get()
    assert (found.link_id, found.unattributed_reason) == (None, "enrollment_ended")
    assert not Commission.objects.exists()
    order = api.as_member(merchant_of(link)).get("/api/v1/orders/").json()["results"]
    assert order == [] or order[0]["lines"][0]["unattributed_reason"] == "enrollment_ended"


def test_an_order_paid_before_the_termination_still_earns_when_its_event_comes_late(
    client, api, link, django_capture_on_commit_callbacks
):
    click_id = visit(client, link)
    paid_at = timezone.now()
    terminate(link, django_capture_on_commit_callbacks)

    send(api, "e-1", "paid", "SO-1", [line("SCARF-1")], click_id=click_id,
         occurred_at=paid_at.isoformat())  # fmt: skip

    assert OrderLine.objects.get().link_id == link.pk
    assert Commission.objects.get().status == "estimated"


def test_an_archived_products_link_redirects_and_earns_nothing(
    client, api, link, django_capture_on_commit_callbacks
):
    visit(client, link)
    archive(link, django_capture_on_commit_callbacks)

    click_id = visit(client, link)
    send(api, "e-1", "paid", "SO-1", [line("SCARF-1")], click_id=click_id)

    assert Click.objects.get(click_id=click_id).not_promotable == "product_archived"
    found = OrderLine.objects.get()
    assert (found.link_id, found.unattributed_reason) == (None, "product_archived")


def test_an_order_by_link_code_made_before_the_link_existed_is_not_credited(api, link):
    paid_at = link.created_at - timedelta(hours=1)

    send(api, "e-1", "paid", "SO-1", [line("SCARF-1")], link_code=link.code,
         occurred_at=paid_at.isoformat())  # fmt: skip

    found = OrderLine.objects.get()
    assert (found.link_id, found.unattributed_reason) == (None, "link_after_payment")


# -- offered nowhere ------------------------------------------------------------------------


def same_provider(kept):
    """Another item the buyer reaches, in the same campaign."""
    return EnrollmentFactory(status="approved", campaign=kept.campaign)


def stop(enrollment, change: str):
    product = enrollment.product
    if change == "terminated":
        enrollment.status = "terminated"
    elif change == "archived":
        product.status = "archived"
    elif change == "stock 0":
        product.stock = 0
    elif change == "promotion stock 0":
        enrollment.promotion_stock = 0
    enrollment.save()
    product.save()


STOPS = ["terminated", "archived", "stock 0", "promotion stock 0"]


@pytest.mark.parametrize("change", STOPS)
def test_the_catalogue_offers_only_what_is_promotable_now(api, buyer, change):
    kept = promotable_enrollment(buyer.organisation)
    stopped = same_provider(kept)
    stop(stopped, change)

    rows = api.as_member(buyer).get("/api/v1/catalogue/").json()["results"]

    assert [row["id"] for row in rows] == [kept.pk]


@pytest.mark.parametrize("change", STOPS)
def test_recommendations_offer_only_what_is_promotable_now(api, buyer, change):
    kept = promotable_enrollment(buyer.organisation)
    stopped = same_provider(kept)
    stop(stopped, change)
    provider = UserFactory(organisation=kept.campaign.provider)

    rows = (
        api.as_member(provider)
        .get("/api/v1/recommendations/", {"buyer": buyer.organisation_id, "limit": 10})
        .json()
    )

    rows = rows["results"] if isinstance(rows, dict) else rows
    assert [row["enrollment"]["id"] if isinstance(row["enrollment"], dict) else row["enrollment"]
            for row in rows] == [kept.pk]  # fmt: skip


@pytest.mark.parametrize("change", STOPS)
def test_a_shared_assortment_shows_the_buyer_only_what_is_promotable_now(api, buyer, change):
    kept = promotable_enrollment(buyer.organisation)
    stopped = same_provider(kept)
    assortment = Assortment.objects.create(provider=kept.campaign.provider, name="Picks")
    assortment.buyers.add(buyer.organisation)
    for position, enrollment in enumerate((kept, stopped)):
        assortment.items.create(enrollment=enrollment, position=position)
    stop(stopped, change)
    provider = UserFactory(organisation=kept.campaign.provider)

    seen = api.as_member(buyer).get(f"/api/v1/assortments/{assortment.pk}/").json()
    curated = api.as_member(provider).get(f"/api/v1/assortments/{assortment.pk}/").json()

    assert [item["enrollment"] for item in seen["items"]] == [kept.pk]
    assert [item["enrollment"] for item in curated["items"]] == [kept.pk, stopped.pk]


@pytest.mark.parametrize("change", STOPS)
def test_the_lineup_builder_picks_only_what_is_promotable_now(api, buyer, change):
    kept = promotable_enrollment(buyer.organisation)
    stopped = same_provider(kept)
    stop(stopped, change)
    livestream = (
        api.as_member(buyer)
        .post(
            "/api/v1/livestreams/",
            {
                "title": "Friday night",
                "scheduled_at": (timezone.now() + timedelta(days=2)).isoformat(),
            },
            format="json",
        )
        .json()
    )

    built = api.as_member(buyer).post(
        f"/api/v1/livestreams/{livestream['id']}/build/", {"slots": 5}, format="json"
    )

    assert built.status_code == 200, built.json()
    picked = {slot["enrollment"] for slot in built.json()["slots"]}
    assert picked == {kept.pk}
