"""Order events cannot rewrite an order (issue 14.5): amounts and SKUs are fixed by the first
paid event, later events only add refunds, ownership is fixed by the first attributed line, and
every refusal changes nothing and tells the merchant."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commissions.models import Commission, Order, OrderEvent, OrderLine
from core.models import Notification
from tests.commissions.orders_support import (
    IMPORT_URL,
    line,
    order_csv,
    order_row,
    promoted_link,
    send,
)
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

PAID = timezone.make_aware(datetime(2026, 3, 1, 10, 0))


def at(hours: float) -> str:
    return (PAID + timedelta(hours=hours)).isoformat()


@pytest.fixture
def attributed(api):
    """SO-1 paid 100.00 through a link of the merchant's DRESS-1, commission estimated."""
    link = promoted_link(sku="DRESS-1")
    response = send(api, "e1", "paid", "SO-1", [line("DRESS-1", "100.00")],
                    link_code=link.code, occurred_at=at(0))  # fmt: skip
    assert response.status_code == 201
    return link


def the_line() -> OrderLine:
    return OrderLine.objects.get(order__external_id="SO-1")


def test_a_refund_event_cannot_change_what_was_paid(api, attributed):
    """Paid 100.00; a signed refund saying the line was 5000.00 made the line 5000.00."""
    response = send(api, "e2", "refunded", "SO-1",
                    [line("DRESS-1", "5000.00", refunded="0.01")], occurred_at=at(1))  # fmt: skip

    assert response.status_code == 409
    message = response.json()["order"][0]
    assert "Event e2 (order.refunded) of order SO-1 is refused" in message
    assert "line 1 says DRESS-1 x 1 for 5000.00; the order was paid DRESS-1 x 1 for 100.00" in (
        message
    )
    assert not OrderEvent.objects.filter(event_id="e2").exists()
    assert (the_line().amount, the_line().refunded_amount) == (Decimal("100.00"), Decimal("0"))
    assert Commission.objects.get().base_amount == Decimal("100.00")
    notice = Notification.objects.get(organisation=attributed.enrollment.product.merchant)
    assert notice.kind == "order.event_refused" and "5000.00" in notice.message


def test_a_refund_event_that_only_adds_a_refund_is_taken(api, attributed):
    response = send(api, "e2", "refunded", "SO-1",
                    [line("DRESS-1", "100.00", refunded="30.00")], occurred_at=at(1))  # fmt: skip

    assert response.status_code == 201
    assert the_line().refunded_amount == Decimal("30.00")
    assert Commission.objects.get().base_amount == Decimal("70.00")


def test_a_second_paid_event_cannot_swap_in_another_merchants_sku(api, attributed):
    ProductFactory(sku="OTHER-9")  # another merchant's product

    response = send(api, "e9", "paid", "SO-1", [line("OTHER-9", "100.00")], occurred_at=at(2))

    assert response.status_code == 409
    assert (the_line().sku, the_line().link_id) == ("DRESS-1", attributed.pk)
    assert Commission.objects.get().status == "estimated"


def test_lines_cannot_be_added_or_dropped_after_payment(api, attributed):
    two = [line("DRESS-1", "100.00"), line("DRESS-1", "1.00")]
    more = send(api, "e2", "confirmed", "SO-1", two, occurred_at=at(1))

    assert more.status_code == 409
    assert "it has 2 lines; the order was paid with 1." in more.json()["order"][0]
    assert OrderLine.objects.count() == 1


def test_before_the_paid_event_lines_are_provisional_and_the_paid_event_fixes_them(api):
    send(api, "e2", "confirmed", "SO-1", [line("DRESS-1", "120.00")], occurred_at=at(2))
    paid = send(api, "e1", "paid", "SO-1", [line("DRESS-1", "100.00")], occurred_at=at(0))

    assert paid.status_code == 201
    assert the_line().amount == Decimal("100.00")


# -- ownership -------------------------------------------------------------------------------


def import_rows(api, merchant, rows):
    return api.as_member(merchant).post(
        IMPORT_URL, data=order_csv(rows).encode(), content_type="text/csv"
    )


def test_an_order_nobody_owns_is_not_claimed_by_a_merchant_that_does_not_sell_it(api, merchant):
    """An unattributed webhook order with no merchant, then a CSV naming it from a merchant who
    does not sell its SKU (its rows carry the merchant's own): it used to become theirs."""
    ProductFactory(merchant=merchant.organisation, sku="MINE-1")
    send(api, "e1", "paid", "SO-7", [line("NOBODYS-1", "80.00")], occurred_at=at(0))
    assert Order.objects.get(external_id="SO-7").merchant_id is None

    response = import_rows(api, merchant, [order_row("SO-7", sku="MINE-1", amount="80.00")])

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "order_id"
    assert Order.objects.get(external_id="SO-7").merchant_id is None


def test_a_merchant_selling_every_sku_of_an_unowned_order_claims_it(api, merchant):
    ProductFactory(merchant=merchant.organisation, sku="MINE-1")
    send(api, "e1", "paid", "SO-8", [line("MINE-1", "80.00")], occurred_at=at(0))
    Order.objects.filter(external_id="SO-8").update(merchant=None)

    response = import_rows(
        api,
        merchant,
        [order_row("SO-8", sku="MINE-1", amount="80.00", paid_at="2026-03-01 18:00:00")],
    )

    assert response.status_code == 200, response.json()
    assert Order.objects.get(external_id="SO-8").merchant_id == merchant.organisation_id


def test_an_import_that_contradicts_the_paid_event_is_refused_on_its_line(api, attributed):
    owner = UserFactory(organisation=attributed.enrollment.product.merchant)

    response = import_rows(
        api, owner,
        [order_row("SO-1", sku="DRESS-1", amount="999.00", paid_at="2026-03-01 18:00:00")],
    )  # fmt: skip

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["line"], error["field"]) == (2, "order_id")
    assert "is refused" in error["message"]
    assert the_line().amount == Decimal("100.00")
