"""GET /api/v1/orders/: merchant, buyer and provider each see theirs, and nothing else."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commissions.models import Order, OrderLine
from tests.commissions.orders_support import promoted_link
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

PAID = timezone.make_aware(datetime(2026, 3, 1, 10, 0))


def make_order(external_id, *, merchant, lines, status="paid", paid_at=PAID, **fields):
    """An order as a rebuild leaves it; lines are (sku, amount, link or reason)."""
    order = Order.objects.create(
        external_id=external_id, merchant=merchant, status=status, paid_at=paid_at, **fields
    )
    for position, (sku, amount, attribution) in enumerate(lines, start=1):
        linked = attribution if not isinstance(attribution, str) else None
        OrderLine.objects.create(
            order=order,
            position=position,
            sku=sku,
            quantity=1,
            amount=Decimal(amount),
            link=linked,
            unattributed_reason=attribution if linked is None else "",
            attributed_at=PAID if linked else None,
        )
    return order


@pytest.fixture
def world():
    """One merchant's order with a line for buyer A (campaign of provider P) and a line for
    buyer B, plus an unattributed line; and another merchant's order."""
    link_a = promoted_link(sku="DRESS-1")
    merchant = link_a.enrollment.product.merchant
    product_b = ProductFactory(merchant=merchant, sku="SCARF-2")
    link_b = promoted_link(sku="SCARF-2", enrollment__product=product_b)
    order = make_order(
        "SO-1",
        merchant=merchant,
        status="confirmed",
        confirmed_at=PAID + timedelta(days=1),
        lines=[
            ("DRESS-1", "199.00", link_a),
            ("SCARF-2", "40.00", link_b),
            ("BAG-3", "80.00", "no_click"),
        ],
    )
    other = make_order(
        "SO-2", merchant=ProductFactory().merchant, lines=[("X", "1.00", "no_click")]
    )
    return {
        "order": order,
        "other": other,
        "merchant": UserFactory(organisation=merchant),
        "buyer_a": UserFactory(organisation=link_a.buyer),
        "buyer_b": UserFactory(organisation=link_b.buyer),
        "provider_a": UserFactory(organisation=link_a.enrollment.campaign.provider),
    }


def line_json(sku, amount, attributed, reason=""):
    return {
        "sku": sku,
        "quantity": 1,
        "amount": amount,
        "refunded_amount": "0.00",
        "commission": None,
        "attributed": attributed,
        "unattributed_reason": reason,
    }


def test_the_merchant_sees_every_line_with_its_attribution(api, world):
    response = api.as_member(world["merchant"]).get(f"/api/v1/orders/{world['order'].pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": world["order"].pk,
        "external_id": "SO-1",
        "status": "confirmed",
        "lines": [
            line_json("DRESS-1", "199.00", True),
            line_json("SCARF-2", "40.00", True),
            line_json("BAG-3", "80.00", False, "no_click"),
        ],
        "paid_at": "2026-03-01T10:00:00+08:00",
        "confirmed_at": "2026-03-02T10:00:00+08:00",
    }


@pytest.mark.parametrize(
    ("who", "skus"),
    [("buyer_a", ["DRESS-1"]), ("buyer_b", ["SCARF-2"]), ("provider_a", ["DRESS-1"])],
)
def test_buyers_and_providers_see_only_their_own_lines(api, world, who, skus):
    listed = api.as_member(world[who]).get("/api/v1/orders/").json()

    assert [order["external_id"] for order in listed["results"]] == ["SO-1"]
    assert [line["sku"] for line in listed["results"][0]["lines"]] == skus


@pytest.mark.parametrize("role", ["merchant", "buyer", "provider"])
def test_another_organisation_gets_404(api, world, member_factory, role):
    outsider = member_factory(role)

    assert api.as_member(outsider).get(f"/api/v1/orders/{world['order'].pk}/").status_code == 404
    assert api.as_member(outsider).get("/api/v1/orders/").json()["count"] == 0


def test_a_pending_provider_reads_but_cannot_import(api, pending_provider):
    assert api.as_member(pending_provider).get("/api/v1/orders/").status_code == 200
    response = api.as_member(pending_provider).post(
        "/api/v1/orders/import/", data=b"order_id\n", content_type="text/csv"
    )
    assert response.status_code == 403


def test_operators_and_anonymous_callers_cannot_list(api, operator):
    assert api.get("/api/v1/orders/").status_code in (401, 403)
    assert api.as_member(operator).get("/api/v1/orders/").status_code == 403


def test_filters_by_status_and_paid_dates(api, merchant):
    org = merchant.organisation
    for n, (status, day) in enumerate([("paid", 1), ("confirmed", 2), ("refunded", 3)]):
        paid_at = timezone.make_aware(datetime(2026, 3, day, 23, 30))
        make_order(f"SO-{n}", merchant=org, status=status, paid_at=paid_at, lines=[])
    client = api.as_member(merchant)

    def ids(query):
        return [
            order["external_id"]
            for order in client.get(f"/api/v1/orders/?{query}").json()["results"]
        ]

    assert ids("status=confirmed") == ["SO-1"]
    assert ids("paid_from=2026-03-02") == ["SO-2", "SO-1"]
    assert ids("paid_to=2026-03-02") == ["SO-1", "SO-0"]
    assert ids("paid_from=2026-03-02&paid_to=2026-03-02") == ["SO-1"]
    bad = client.get("/api/v1/orders/?paid_from=March")
    assert bad.status_code == 400 and "paid_from" in bad.json()


def test_the_list_takes_a_bounded_number_of_queries(api, merchant, django_assert_max_num_queries):
    link = promoted_link(sku="DRESS-1", enrollment__product__merchant=merchant.organisation)
    for n in range(30):
        make_order(
            f"SO-{n}",
            merchant=merchant.organisation,
            lines=[("DRESS-1", "10.00", link), ("BAG", "5.00", "no_click")],
        )
    client = api.as_member(merchant)
    client.get("/api/v1/orders/")  # the token look-up is cached from here on

    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/orders/?page_size=30")

    assert len(response.json()["results"]) == 30
