"""The storefront's order export by CSV: rows grouped into orders, all or nothing, and the
same file twice changes nothing."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from commissions.models import Order, OrderEvent, OrderLine
from tests.commissions.orders_support import IMPORT_URL, order_csv, order_row, promoted_link
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def shop(merchant):
    """The merchant with three products."""
    for sku in ("DRESS-1", "SCARF-2", "BAG-3"):
        ProductFactory(merchant=merchant.organisation, sku=sku)
    return merchant


def upload(api, user, rows_or_text, content_type="text/csv"):
    text = rows_or_text if isinstance(rows_or_text, str) else order_csv(rows_or_text)
    return api.as_member(user).post(IMPORT_URL, data=text.encode(), content_type=content_type)


def snapshot() -> list:
    return [
        (
            o.external_id,
            o.status,
            o.paid_at,
            o.confirmed_at,
            o.updated_at,
            [
                (li.position, li.sku, li.quantity, li.amount, li.refunded_amount)
                for li in o.lines.order_by("position")
            ],
        )
        for o in Order.objects.order_by("external_id")
    ]


EXPORT = [
    order_row(
        "SO-1", "DRESS-1", amount="199.00", status="confirmed", confirmed_at="2026-03-05 10:00:00"
    ),
    order_row("SO-2", "BAG-3", amount="80.00", quantity="2"),
    order_row(
        "SO-1", "SCARF-2", amount="40.00", status="confirmed", confirmed_at="2026-03-05 10:00:00"
    ),
]


def test_rows_of_one_order_become_one_order_with_its_lines(api, shop):
    response = upload(api, shop, EXPORT)

    assert response.status_code == 200
    assert response.json() == {"orders": 2, "applied_events": 3}
    so1 = Order.objects.get(external_id="SO-1")
    assert so1.status == "confirmed"
    assert so1.merchant == shop.organisation
    assert so1.paid_at == datetime(2026, 3, 1, 14, 30, tzinfo=SHANGHAI)
    assert so1.confirmed_at == datetime(2026, 3, 5, 10, 0, tzinfo=SHANGHAI)
    assert [(li.position, li.sku, li.amount, li.product.sku) for li in so1.lines.all()] == [
        (1, "DRESS-1", Decimal("199.00"), "DRESS-1"),
        (2, "SCARF-2", Decimal("40.00"), "SCARF-2"),
    ]
    assert Order.objects.get(external_id="SO-2").lines.get().quantity == 2
    assert set(OrderEvent.objects.values_list("source", flat=True)) == {"csv"}


def test_the_same_file_twice_changes_nothing(api, shop):
    upload(api, shop, EXPORT)
    before, events = snapshot(), set(OrderEvent.objects.values_list("event_id", flat=True))

    again = upload(api, shop, EXPORT)

    assert again.json() == {"orders": 2, "applied_events": 0}
    assert snapshot() == before
    assert set(OrderEvent.objects.values_list("event_id", flat=True)) == events


def test_a_later_export_with_a_refund_adds_only_the_refund(api, shop):
    upload(api, shop, EXPORT)
    later = [dict(row) for row in EXPORT]
    later[2].update(refunded_amount="40.00", refunded_at="2026-03-06 09:00:00")
    later[0].update(refunded_at="2026-03-06 09:00:00")

    response = upload(api, shop, later)

    assert response.json() == {"orders": 2, "applied_events": 1}
    refund = OrderEvent.objects.get(type="order.refunded")
    assert refund.occurred_at == datetime(2026, 3, 6, 9, 0, tzinfo=SHANGHAI)
    scarf = OrderLine.objects.get(sku="SCARF-2")
    assert scarf.refunded_amount == Decimal("40.00")
    assert scarf.order.status == "confirmed"  # the dress is not refunded
    assert upload(api, shop, later).json()["applied_events"] == 0


def test_cancelled_and_fully_refunded_orders(api, shop):
    rows = [
        order_row("SO-C", "DRESS-1", status="cancelled"),
        order_row(
            "SO-R",
            "BAG-3",
            status="refunded",
            refunded_amount="100.00",
            refunded_at="2026-03-02T08:00:00+08:00",
        ),
    ]

    upload(api, shop, rows)

    assert Order.objects.get(external_id="SO-C").status == "cancelled"
    assert Order.objects.get(external_id="SO-R").status == "refunded"


def test_times_in_iso_8601_with_a_zone_are_kept(api, shop):
    upload(api, shop, [order_row(paid_at="2026-03-01T06:30:00Z")])

    assert Order.objects.get().paid_at == datetime(2026, 3, 1, 14, 30, tzinfo=SHANGHAI)


def test_imported_lines_are_attributed_like_webhook_ones(api, shop):
    dress = shop.organisation.products.get(sku="DRESS-1")
    link = promoted_link(sku="DRESS-1", enrollment__product=dress)

    upload(
        api, shop, [order_row(link_code=link.code), order_row(sku="SCARF-2", link_code=link.code)]
    )

    assert OrderLine.objects.get(sku="DRESS-1").link == link
    assert OrderLine.objects.get(sku="SCARF-2").unattributed_reason == "sku_mismatch"


def test_a_file_with_bad_rows_applies_nothing_and_lists_every_problem(api, shop, member_factory):
    ProductFactory(merchant=member_factory("merchant").organisation, sku="NOT-MINE")
    rows = [
        order_row("SO-1", "DRESS-1"),  # line 2: fine
        order_row("SO-1", "SCARF-2", amount="12.345"),  # line 3
        order_row("SO-2", "NOT-MINE"),  # line 4
        order_row(
            "SO-3", "BAG-3", refunded_amount="150.00", refunded_at="2026-03-02 10:00:00"
        ),  # line 5
        order_row("SO-1", "BAG-3", click_id="other-click"),  # line 6
        order_row("SO-4", "DRESS-1", status="shipped", paid_at="yesterday", quantity="0"),  # 7
        order_row("SO-5", "DRESS-1", status="confirmed"),  # line 8
    ]

    response = upload(api, shop, rows)

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"line": 3, "field": "amount", "message": "Use at most 2 decimal places."},
            {"line": 4, "field": "sku", "message": "SKU NOT-MINE is not one of your products."},
            {
                "line": 5,
                "field": "refunded_amount",
                "message": "A refund can never exceed what was paid.",
            },
            {
                "line": 6,
                "field": "click_id",
                "message": "Order SO-1 has another click_id on line 2.",
            },
            {
                "line": 7,
                "field": "paid_at",
                "message": "Enter a time such as 2026-03-01 14:30:00 or ISO 8601.",
            },
            {
                "line": 7,
                "field": "quantity",
                "message": "Enter a whole number of items, 1 or more.",
            },
            {
                "line": 7,
                "field": "status",
                "message": "Use one of: paid, confirmed, refunded, cancelled.",
            },
            {
                "line": 8,
                "field": "confirmed_at",
                "message": "A confirmed order needs confirmed_at.",
            },
        ]
    }
    assert not Order.objects.exists() and not OrderEvent.objects.exists()


def test_a_refund_needs_its_time_and_times_come_after_payment(api, shop):
    rows = [
        order_row("SO-1", refunded_amount="10.00"),
        order_row("SO-2", status="confirmed", confirmed_at="2026-02-01 00:00:00"),
    ]

    errors = upload(api, shop, rows).json()["errors"]

    assert errors == [
        {"line": 2, "field": "refunded_at", "message": "A refund needs refunded_at."},
        {"line": 3, "field": "confirmed_at", "message": "This time is before paid_at."},
    ]


def test_an_order_of_another_merchant_cannot_be_imported(api, shop, member_factory):
    Order.objects.create(external_id="SO-1", merchant=member_factory("merchant").organisation)

    response = upload(api, shop, [order_row("SO-1")])

    assert response.json()["errors"] == [
        {
            "line": 2,
            "field": "order_id",
            "message": "Order SO-1 is another shop's order; it cannot be imported here.",
        }
    ]
    assert not OrderEvent.objects.exists()


def test_a_webhook_order_without_a_merchant_becomes_the_importers(api, shop):
    Order.objects.create(external_id="SO-1")

    upload(api, shop, [order_row("SO-1")])

    assert Order.objects.get().merchant == shop.organisation


def test_a_bad_header_is_refused_at_once(api, shop):
    response = upload(api, shop, "order_id,sku,colour\nSO-1,DRESS-1,red\n")

    assert response.status_code == 400
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["colour", "status", "quantity", "amount", "paid_at"]


def test_the_file_can_come_as_a_multipart_upload(api, shop):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload_file = SimpleUploadedFile("orders.csv", order_csv(EXPORT).encode(), "text/csv")
    response = api.as_member(shop).post(IMPORT_URL, {"file": upload_file}, format="multipart")

    assert response.json() == {"orders": 2, "applied_events": 3}


def test_only_active_merchants_import(api, buyer, provider, pending_provider, member_factory):
    pending_merchant = member_factory("merchant", status="pending")
    text = order_csv([order_row()])

    assert upload(api, buyer, text).status_code == 403
    assert upload(api, provider, text).status_code == 403
    assert upload(api, pending_provider, text).status_code == 403
    assert upload(api, pending_merchant, text).status_code == 403
    assert not Order.objects.exists()
