"""Attribution: last click within the campaign's window, link codes, sku checks, and the
beat task that retries clicks not in the database yet."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from commissions import tasks
from commissions.models import Order, OrderLine
from commissions.services.attribution import retry_unattributed_lines
from tests.commissions.orders_support import click_on, line, promoted_link, send
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

PAID = timezone.make_aware(datetime(2026, 3, 8, 20, 0))


def paid_order(api, external_id="SO-1", lines=None, **order):
    """An order.paid event sent at PAID (the frozen clock is the signature time)."""
    with time_machine.travel(PAID, tick=False):
        response = send(
            api, f"{external_id}-paid", "paid", external_id, lines or [line("DRESS-1")], **order
        )
    assert response.status_code == 201, response.json()
    return Order.objects.get(external_id=external_id)


def the_line(sku="DRESS-1") -> OrderLine:
    return OrderLine.objects.select_related("order").get(sku=sku)


@pytest.mark.parametrize(
    ("before_paid", "attributed", "reason"),
    [
        (timedelta(days=6, hours=23), True, ""),
        (timedelta(days=7), True, ""),
        (timedelta(days=7, hours=1), False, "outside_window"),
        # clocks differ, signatures carry whole seconds: 2 minutes "after" is the same visit
        (-timedelta(seconds=40), True, ""),
        (-timedelta(minutes=3), False, "outside_window"),  # a click well after paying
    ],
)
def test_a_click_counts_within_the_campaigns_window_before_payment(
    api, before_paid, attributed, reason
):
    link = promoted_link(sku="DRESS-1", window=7)
    click = click_on(link, at=PAID - before_paid, click_id="c-1")

    paid_order(api, click_id="c-1")

    found = the_line()
    assert (found.link_id, found.click_id) == ((link.pk, click.pk) if attributed else (None, None))
    assert found.unattributed_reason == reason


def test_the_window_is_the_campaigns_own(api):
    link = promoted_link(sku="DRESS-1", window=14)
    click_on(link, at=PAID - timedelta(days=10), click_id="c-1")

    paid_order(api, click_id="c-1")

    assert the_line().link == link


def test_an_attributed_line_names_the_product_and_the_order_its_merchant(api):
    link = promoted_link(sku="DRESS-1")
    click_on(link, at=PAID - timedelta(hours=2), click_id="c-1")

    order = paid_order(api, click_id="c-1", lines=[line("DRESS-1"), line("OTHER-9")])

    dress, other = the_line("DRESS-1"), the_line("OTHER-9")
    assert dress.product == link.enrollment.product
    assert dress.attributed_at is not None
    assert order.merchant == link.enrollment.product.merchant
    assert (other.link, other.unattributed_reason) == (None, "sku_mismatch")


def test_a_line_with_only_a_link_code_goes_to_that_link(api):
    link = promoted_link(sku="DRESS-1")

    paid_order(api, link_code=link.code)

    found = the_line()
    assert (found.link, found.click, found.unattributed_reason) == (link, None, "")


def test_a_link_expired_when_the_order_was_paid_attributes_nothing(api):
    link = promoted_link(sku="DRESS-1", expires_at=PAID - timedelta(seconds=1))

    paid_order(api, link_code=link.code)

    assert (the_line().link, the_line().unattributed_reason) == (None, "outside_window")


def test_the_click_id_wins_over_the_link_code(api):
    by_code = promoted_link(sku="DRESS-1")
    by_click = promoted_link(sku="DRESS-1")
    click_on(by_click, at=PAID - timedelta(hours=1), click_id="c-1")

    paid_order(api, click_id="c-1", link_code=by_code.code)

    assert the_line().link == by_click


@pytest.mark.parametrize(
    ("order_fields", "reason"),
    [
        ({}, "no_click"),
        ({"link_code": "NOSUCHCODE"}, "unknown_link"),
        ({"click_id": "not-flushed-yet"}, "unknown_click"),
    ],
)
def test_lines_without_a_usable_click_say_why(api, order_fields, reason):
    paid_order(api, **order_fields)

    assert (the_line().link, the_line().unattributed_reason) == (None, reason)


def test_a_link_of_another_merchants_product_with_the_same_sku_is_a_mismatch(api, merchant):
    """An order the merchant imported is its own: another shop's link cannot take its lines."""
    ProductFactory(merchant=merchant.organisation, sku="DRESS-1")
    link = promoted_link(sku="DRESS-1")
    Order.objects.create(external_id="SO-1", merchant=merchant.organisation)

    paid_order(api, link_code=link.code)

    assert (the_line().link, the_line().unattributed_reason) == (None, "sku_mismatch")
    assert the_line().product.merchant == merchant.organisation


def test_an_order_without_a_link_belongs_to_the_only_merchant_selling_its_skus(api, merchant):
    product = ProductFactory(merchant=merchant.organisation, sku="ONLY-MINE")

    order = paid_order(api, lines=[line("ONLY-MINE")])

    assert order.merchant == merchant.organisation
    assert the_line("ONLY-MINE").product == product


def test_an_unknown_click_is_attributed_once_the_click_reaches_the_database(api):
    link = promoted_link(sku="DRESS-1")
    paid_order(api, click_id="buffered-1")
    assert the_line().unattributed_reason == "unknown_click"

    click = click_on(link, at=PAID - timedelta(minutes=5), click_id="buffered-1")
    with time_machine.travel(PAID + timedelta(minutes=5), tick=False):
        result = tasks.retry_unattributed_lines.apply().get()

    found = the_line()
    assert result == {"tried": 1, "attributed": 1}
    assert (found.link, found.click, found.unattributed_reason) == (link, click, "")
    assert found.attribution_attempts == 2
    assert found.order.merchant == link.enrollment.product.merchant


def test_the_retry_task_run_twice_changes_nothing_more(api):
    link = promoted_link(sku="DRESS-1")
    paid_order(api, click_id="buffered-1")
    click_on(link, at=PAID - timedelta(minutes=5), click_id="buffered-1")

    with time_machine.travel(PAID + timedelta(minutes=5), tick=False):
        first = retry_unattributed_lines()
        attributed_at = the_line().attributed_at
        second = retry_unattributed_lines()

    assert first == {"tried": 1, "attributed": 1}
    assert second == {"tried": 0, "attributed": 0}
    assert (the_line().attributed_at, the_line().attribution_attempts) == (attributed_at, 2)


def test_the_retry_task_counts_attempts_while_the_click_is_missing(api):
    paid_order(api, click_id="never-seen")

    with time_machine.travel(PAID + timedelta(minutes=5), tick=False):
        assert retry_unattributed_lines() == {"tried": 1, "attributed": 0}
        retry_unattributed_lines()

    assert (the_line().unattributed_reason, the_line().attribution_attempts) == (
        "unknown_click",
        3,
    )


def test_the_retry_task_gives_up_on_orders_paid_more_than_7_days_ago(api):
    link = promoted_link(sku="DRESS-1")
    paid_order(api, click_id="late")
    click_on(link, at=PAID - timedelta(minutes=5), click_id="late")

    with time_machine.travel(PAID + timedelta(days=7, minutes=1), tick=False):
        assert retry_unattributed_lines() == {"tried": 0, "attributed": 0}

    assert the_line().link is None


def test_the_retry_task_works_through_batches(api):
    link = promoted_link(sku="DRESS-1")
    for n in range(5):
        paid_order(api, external_id=f"SO-{n}", click_id=f"c-{n}")
        click_on(link, at=PAID - timedelta(minutes=5), click_id=f"c-{n}")

    with time_machine.travel(PAID + timedelta(minutes=5), tick=False):
        assert retry_unattributed_lines(batch_size=2) == {"tried": 5, "attributed": 5}

    assert not OrderLine.objects.filter(link__isnull=True).exists()


def test_the_beat_schedule_runs_the_retry_with_an_expiry(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["retry-unattributed-lines"]

    assert entry["task"] == "commissions.tasks.retry_unattributed_lines"
    assert entry["options"]["expires"] < 300
