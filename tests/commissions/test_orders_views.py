"""The portal's Orders page per role, and the merchant's CSV upload with errors and progress."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commissions.models import Order, OrderImport, OrderLine
from tests.commissions.orders_support import order_csv, order_row, promoted_link
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def csv_file(rows) -> SimpleUploadedFile:
    return SimpleUploadedFile("orders.csv", order_csv(rows).encode(), "text/csv")


@pytest.fixture
def sold():
    """An order with a line attributed to a buyer's link and an unattributed line."""
    link = promoted_link(sku="DRESS-1")
    merchant = link.enrollment.product.merchant
    order = Order.objects.create(external_id="SO-77", merchant=merchant, paid_at=timezone.now())
    OrderLine.objects.create(
        order=order,
        position=1,
        sku="DRESS-1",
        quantity=1,
        amount=Decimal("199.00"),
        link=link,
        attributed_at=timezone.now(),
    )
    OrderLine.objects.create(
        order=order,
        position=2,
        sku="HAT-8",
        quantity=1,
        amount=Decimal("30.00"),
        unattributed_reason="sku_mismatch",
    )
    return {
        "order": order,
        "link": link,
        "merchant": UserFactory(organisation=merchant),
        "buyer": UserFactory(organisation=link.buyer),
        "provider": UserFactory(organisation=link.enrollment.campaign.provider),
    }


def test_the_merchant_sees_lines_attribution_reasons_and_the_upload(client, sold):
    client.force_login(sold["merchant"])

    page = client.get("/orders/").content.decode()

    assert "SO-77" in page and "DRESS-1" in page and "HAT-8" in page
    assert sold["link"].code in page
    assert "SKU is not the linked product" in page
    assert 'name="file"' in page


@pytest.mark.parametrize("who", ["buyer", "provider"])
def test_buyers_and_providers_see_only_their_lines_and_no_upload(client, sold, who):
    client.force_login(sold[who])

    page = client.get("/orders/").content.decode()

    assert "SO-77" in page and "DRESS-1" in page
    assert "HAT-8" not in page
    assert 'name="file"' not in page


@pytest.mark.parametrize("role", ["merchant", "buyer", "provider"])
def test_other_organisations_see_none_of_it(client, sold, member_factory, role):
    client.force_login(member_factory(role))

    assert "SO-77" not in client.get("/orders/").content.decode()


def test_filters_rerender_only_the_table_for_htmx(client, sold):
    client.force_login(sold["merchant"])

    partial = client.get("/orders/?status=refunded", HTTP_HX_REQUEST="true").content.decode()

    assert "<html" not in partial
    assert "No orders match." in partial


def test_the_page_takes_a_bounded_number_of_queries(client, sold, django_assert_max_num_queries):
    merchant = sold["order"].merchant
    for n in range(40):
        order = Order.objects.create(
            external_id=f"SO-{n}", merchant=merchant, paid_at=timezone.now()
        )
        OrderLine.objects.create(
            order=order,
            position=1,
            sku="DRESS-1",
            quantity=1,
            amount=Decimal("1.00"),
            link=sold["link"],
        )
    client.force_login(sold["merchant"])
    client.get("/orders/")

    with django_assert_max_num_queries(10):
        assert client.get("/orders/").status_code == 200


def test_an_upload_with_bad_rows_shows_every_error(client, merchant):
    ProductFactory(merchant=merchant.organisation, sku="DRESS-1")
    client.force_login(merchant)

    rows = [order_row(sku="NOPE"), order_row("SO-2", amount="abc")]
    page = client.post("/orders/import/", {"file": csv_file(rows)}).content.decode()

    assert "The file has 2 errors; nothing was imported." in page
    assert "SKU NOPE is not one of your products." in page
    assert "Enter an amount such as 199.00." in page
    assert not Order.objects.exists()


def test_a_good_upload_lands_and_says_so(client, merchant):
    ProductFactory(merchant=merchant.organisation, sku="DRESS-1")
    client.force_login(merchant)

    response = client.post("/orders/import/", {"file": csv_file([order_row()])}, follow=True)

    assert "Import done: 1 orders, 1 new events applied." in response.content.decode()
    assert Order.objects.get().external_id == "SO-1"


def test_a_large_upload_shows_a_progress_page(
    client, merchant, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.ORDER_IMPORT_SYNC_MAX_ROWS = 1
    ProductFactory(merchant=merchant.organisation, sku="DRESS-1")
    client.force_login(merchant)
    rows = [order_row("SO-1"), order_row("SO-2")]

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/orders/import/", {"file": csv_file(rows)})
    order_import = OrderImport.objects.get()
    assert response["Location"] == f"/orders/imports/{order_import.pk}/"

    queued = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in queued and "<progress" in queued
    OrderImport.objects.filter(pk=order_import.pk).update(status="running", processed_rows=1)
    running = client.get(f"/orders/imports/{order_import.pk}/status/").content.decode()
    assert "Checking rows: 1 of 2" in running and 'value="50"' in running


def test_import_pages_belong_to_their_merchant(client, merchant, member_factory, buyer):
    order_import = OrderImport.objects.create(merchant=merchant.organisation, content="x")

    client.force_login(member_factory("merchant"))
    assert client.get(f"/orders/imports/{order_import.pk}/").status_code == 404
    client.force_login(buyer)
    assert client.get(f"/orders/imports/{order_import.pk}/").status_code == 403
    assert client.post("/orders/import/").status_code == 403


def test_a_pending_merchant_cannot_upload(client, member_factory):
    pending = member_factory("merchant", status="pending")
    client.force_login(pending)

    assert client.get("/orders/").status_code == 200
    assert client.post("/orders/import/", {"file": csv_file([order_row()])}).status_code == 403


def test_every_member_role_has_orders_in_the_navigation(client, member_factory):
    for role in ("merchant", "buyer", "provider"):
        client.force_login(member_factory(role))
        assert 'href="/orders/"' in client.get("/").content.decode()


def test_the_orders_page_lists_recent_large_imports_with_their_progress_pages(client, merchant):
    item = OrderImport.objects.create(
        merchant=merchant.organisation, content="x", filename="march.csv", total_rows=3000
    )
    client.force_login(merchant)

    page = client.get("/orders/").content.decode()

    assert "march.csv" in page and '<td class="num">3000</td>' in page
    assert f'<a href="/orders/imports/{item.pk}/">Details</a>' in page
