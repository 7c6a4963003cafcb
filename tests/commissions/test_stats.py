from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commissions.models import Click, Order, OrderLine
from influencers.models import LineupSlot, Livestream
from tests.factories import AffiliateLinkFactory

pytestmark = pytest.mark.django_db
ZONE = timezone.get_current_timezone()


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=ZONE)


def click(link, when, ip="ip-a", **flags):
    return Click.objects.create(
        link=link, click_id=f"c{Click.objects.count()}", clicked_at=when, ip_hash=ip, **flags
    )


def sale(link, when, amount="100.00", refunded="0.00", status="paid", through=None):
    """An order attributed to the link, through the click ``through`` or by link code alone."""
    order = Order.objects.create(
        external_id=f"o{Order.objects.count()}", status=status, paid_at=when,
        merchant=link.enrollment.product.merchant,
    )  # fmt: skip
    OrderLine.objects.create(
        order=order, position=1, sku=link.enrollment.product.sku, quantity=1,
        amount=Decimal(amount), refunded_amount=Decimal(refunded), link=link,
        product=link.enrollment.product, click=through,
    )  # fmt: skip
    return order


@pytest.fixture
def link(buyer):
    return AffiliateLinkFactory(buyer=buyer.organisation)


def test_link_stats_to_the_fen(api, buyer, link):
    first = click(link, at(10), ip="a")
    click(link, at(10, 13), ip="a")  # same visitor later: counted, not unique
    second = click(link, at(11), ip="b")
    click(link, at(11), ip="c", is_bot=True)
    click(link, at(11), ip="b", is_duplicate=True)
    click(link, at(11), ip="e", not_promotable="enrollment_ended")  # earned nothing
    click(link, at(25), ip="d")  # outside the range
    sale(link, at(10), amount="100.00", through=first)
    sale(link, at(11), amount="59.90", refunded="20.00", through=second)
    sale(link, at(11), amount="300.00", status="cancelled", through=second)

    body = (
        api.as_member(buyer)
        .get(f"/api/v1/links/{link.pk}/stats/", {"from": "2026-11-01", "to": "2026-11-20"})
        .json()
    )

    assert body == {
        "start": "2026-11-01", "end": "2026-11-20", "clicks": 3, "unique_clicks": 2,
        "orders": 2, "gmv": "139.90", "conversion_rate": "0.6667", "orders_by_click": 2,
        "orders_by_link_code": 0,
    }  # fmt: skip


def test_orders_by_link_code_alone_count_but_do_not_convert(api, buyer, link):
    """Before, a merchant's conversion read about 18 % from link-code orders with no click."""
    visit = click(link, at(10), ip="a")
    for _ in range(3):
        click(link, at(10), ip=f"v{_}")
    sale(link, at(10), amount="100.00", through=visit)
    for _ in range(5):
        sale(link, at(11), amount="10.00")  # the storefront sent only the link code

    body = (
        api.as_member(buyer)
        .get(f"/api/v1/links/{link.pk}/stats/", {"from": "2026-11-01", "to": "2026-11-20"})
        .json()
    )

    assert (body["clicks"], body["orders"], body["gmv"]) == (4, 6, "150.00")
    assert (body["orders_by_click"], body["orders_by_link_code"]) == (1, 5)
    assert body["conversion_rate"] == "0.2500"  # 1 order through a click / 4 clicks, not 6 / 4


def test_no_clicks_is_a_zero_rate_not_an_error(api, buyer, link):
    body = api.as_member(buyer).get(f"/api/v1/links/{link.pk}/stats/").json()

    assert (body["clicks"], body["orders"], body["gmv"], body["conversion_rate"]) == (
        0, 0, "0.00", "0.0000",
    )  # fmt: skip


def test_a_bad_range_names_the_parameter(api, buyer, link):
    response = api.as_member(buyer).get(
        f"/api/v1/links/{link.pk}/stats/", {"from": "2026-11-20", "to": "2026-11-01"}
    )

    assert response.status_code == 400
    assert response.json() == {"from": ["The range starts after it ends."]}


def test_the_merchant_and_provider_see_the_link_stats_others_do_not(api, link, member_factory):
    from tests.factories import UserFactory

    merchant = UserFactory(organisation=link.enrollment.product.merchant)
    provider = UserFactory(organisation=link.enrollment.campaign.provider)
    url = f"/api/v1/links/{link.pk}/stats/"

    assert api.as_member(merchant).get(url).status_code == 200
    assert api.as_member(provider).get(url).status_code == 200
    assert api.as_member(member_factory("buyer")).get(url).status_code == 404
    assert api.as_member(member_factory("merchant")).get(url).status_code == 404


def test_livestream_and_buyer_stats_add_up_their_links(api, buyer, link):
    other = AffiliateLinkFactory(buyer=buyer.organisation)
    elsewhere = AffiliateLinkFactory(buyer=buyer.organisation)
    live = Livestream.objects.create(buyer=buyer.organisation, title="Fri", scheduled_at=at(10))
    for position, item in enumerate([link, other], start=1):
        LineupSlot.objects.create(livestream=live, enrollment=item.enrollment, position=position)
    for item, ip in [(link, "a"), (other, "b"), (elsewhere, "c")]:
        click(item, at(10), ip=ip)
        sale(item, at(10), amount="10.00")
    client = api.as_member(buyer)
    days = {"from": "2026-11-01", "to": "2026-11-30"}

    live_stats = client.get(f"/api/v1/livestreams/{live.pk}/stats/", days).json()
    all_stats = client.get("/api/v1/stats/", days).json()

    assert (live_stats["clicks"], live_stats["orders"], live_stats["gmv"]) == (2, 2, "20.00")
    assert (all_stats["clicks"], all_stats["orders"], all_stats["gmv"]) == (3, 3, "30.00")


def test_stats_take_a_bounded_number_of_queries(api, buyer, link, django_assert_max_num_queries):
    for n in range(20):
        click(link, timezone.now() - timedelta(hours=n), ip=f"ip{n}")
    client = api.as_member(buyer)

    with django_assert_max_num_queries(6):
        assert client.get(f"/api/v1/links/{link.pk}/stats/").json()["clicks"] == 20
