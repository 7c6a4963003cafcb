from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Organisation, Role
from merchants.models import Product, ProductImport
from tests.factories import ProductFactory, category
from tests.merchants.conftest import csv_text, generated_rows, product_row

pytestmark = pytest.mark.django_db

LIST = "/products/"


def form_data(**overrides) -> dict:
    data = {
        "sku": "DRESS-001",
        "title": "Linen midi dress",
        "category": category("dresses").pk,
        "brand": "Yunshang",
        "price": "199.00",
        "stock": "120",
        "sample_stock": "5",
        "storefront_url": "https://shop.example.com/item/1",
        "image_url": "",
        "status": "active",
    }
    data.update(overrides)
    return data


def upload(text: str | bytes, name: str = "products.csv") -> SimpleUploadedFile:
    content = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_list_shows_own_products_with_stock_badges(client, merchant, member_factory):
    org = merchant.organisation
    ProductFactory(merchant=org, sku="OUT-1", stock=0)
    ProductFactory(merchant=org, sku="LOW-1", stock=5)
    ProductFactory(merchant=org, sku="OK-1", stock=300)
    ProductFactory(merchant=member_factory(Role.MERCHANT).organisation, sku="THEIRS-1")
    client.force_login(merchant)

    page = client.get(LIST).content.decode()

    assert "OUT-1" in page and "LOW-1" in page and "OK-1" in page
    assert "THEIRS-1" not in page
    assert "Out of stock" in page
    assert "Low: 5" in page
    assert 'hx-get="/products/"' in page and 'hx-target="#product-table"' in page
    assert 'href="/products/export/?' in page


def test_filters_re_render_only_the_table_for_htmx(client, merchant):
    org = merchant.organisation
    ProductFactory(merchant=org, sku="DR-1", title="Linen dress", category=category("dresses"))
    ProductFactory(merchant=org, sku="KT-1", title="Iron pan", category=category("kitchen"))
    client.force_login(merchant)

    response = client.get(
        LIST, {"category": "womens-clothing", "search": "linen"}, HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert "<html" not in body
    assert "DR-1" in body and "KT-1" not in body
    assert "1 product" in body


def test_the_full_page_keeps_the_chosen_filters(client, merchant):
    client.force_login(merchant)

    page = client.get(
        LIST, {"category": "dresses", "stock": "low", "search": "silk"}
    ).content.decode()

    assert '<option value="dresses" selected>' in page
    assert 'value="silk"' in page
    assert '<option value="low" selected>' in page


def test_the_list_paginates_with_bounded_queries(client, merchant, django_assert_max_num_queries):
    for n in range(30):
        ProductFactory(merchant=merchant.organisation, sku=f"P-{n:02d}")
    client.force_login(merchant)

    with django_assert_max_num_queries(10):
        first = client.get(LIST, {"ordering": "sku", "category": "womens-clothing"})
    second = client.get(LIST, {"ordering": "sku", "page": 2}).content.decode()

    assert "P-24" in first.content.decode() and "P-25" not in first.content.decode()
    assert "P-25" in second and "P-29" in second
    assert "Page 2 of 2" in second


def test_buyers_and_providers_cannot_open_products(client, buyer, provider):
    for user in (buyer, provider):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
        assert client.get("/products/import/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(LIST).status_code == 302


def test_the_create_form_shows_the_category_tree(client, merchant):
    client.force_login(merchant)

    page = client.get("/products/new/").content.decode()
    page = page[page.index('<select name="category"') :]

    clothing = page.index(">Women&#x27;s clothing<")
    dresses = page.index(">\u2003Dresses<")
    home = page.index(">Home<")
    assert clothing < dresses < home


def test_creating_a_product_through_the_portal(client, merchant):
    client.force_login(merchant)

    response = client.post("/products/new/", form_data())

    assert response.status_code == 302
    product = Product.objects.get(merchant=merchant.organisation)
    assert (product.sku, product.category.slug, product.price) == (
        "DRESS-001", "dresses", Decimal("199.00"),
    )  # fmt: skip


def test_the_form_shows_every_error_and_saves_nothing(client, merchant):
    ProductFactory(merchant=merchant.organisation, sku="DRESS-001")
    client.force_login(merchant)

    response = client.post("/products/new/", form_data(stock="-1", sample_stock="-2", price="0"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "A product with this SKU already exists." in page
    assert "Stock cannot be negative." in page
    assert "Sample stock cannot be negative." in page
    assert "The price must be greater than 0." in page
    assert Product.objects.count() == 1


def test_editing_own_products_only(client, merchant, member_factory):
    mine = ProductFactory(merchant=merchant.organisation, sku="MINE-1", stock=3)
    theirs = ProductFactory(merchant=member_factory(Role.MERCHANT).organisation)
    client.force_login(merchant)

    saved = client.post(f"/products/{mine.pk}/edit/", form_data(sku="MINE-1", stock="44"))

    assert saved.status_code == 302
    mine.refresh_from_db()
    assert mine.stock == 44
    assert client.get(f"/products/{theirs.pk}/edit/").status_code == 404
    assert client.post(f"/products/{theirs.pk}/edit/", form_data()).status_code == 404
    assert client.post(f"/products/{theirs.pk}/archive/").status_code == 404


def test_archiving_from_the_list(client, merchant):
    product = ProductFactory(merchant=merchant.organisation, status="active")
    client.force_login(merchant)

    client.post(f"/products/{product.pk}/archive/")
    again = client.post(f"/products/{product.pk}/archive/", follow=True)

    product.refresh_from_db()
    assert product.status == "archived"
    assert "This product is already archived." in again.content.decode()


def test_a_suspended_merchant_sees_but_cannot_change(client, member_factory):
    user = member_factory(Role.MERCHANT, status=Organisation.Status.SUSPENDED)
    product = ProductFactory(merchant=user.organisation)
    client.force_login(user)

    assert client.get(LIST).status_code == 200
    assert client.post("/products/new/", form_data()).status_code == 403
    assert client.post(f"/products/{product.pk}/archive/").status_code == 403


def test_a_small_import_lands_at_once(client, merchant):
    client.force_login(merchant)

    response = client.post(
        "/products/import/", {"file": upload(csv_text([product_row()]))}, follow=True
    )

    assert "Import done: 1 created, 0 updated." in response.content.decode()
    assert Product.objects.filter(merchant=merchant.organisation).count() == 1


def test_a_rejected_import_shows_a_table_of_every_bad_row(client, merchant):
    rows = [product_row(), product_row(sku="B", stock="-1"), product_row(sku="C", category="x")]
    client.force_login(merchant)

    response = client.post("/products/import/", {"file": upload(csv_text(rows))})

    page = response.content.decode()
    assert "The file has 2 errors; nothing was imported." in page
    assert (
        '<td class="num">3</td><td><code>stock</code></td><td>Stock cannot be negative.</td>'
        in page
    )
    assert '<td class="num">4</td><td><code>category</code></td>' in page
    assert not Product.objects.exists()


def test_an_unreadable_upload_says_why(client, merchant):
    client.force_login(merchant)

    response = client.post("/products/import/", {"file": upload(b"\x81\x30\xff\xfe")})

    assert "The file is not text in UTF-8 or GB18030." in response.content.decode()


def test_a_large_import_shows_a_progress_bar_that_polls(
    client, merchant, settings, django_capture_on_commit_callbacks
):
    settings.PRODUCT_IMPORT_SYNC_MAX_ROWS = 10
    client.force_login(merchant)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/products/import/", {"file": upload(csv_text(generated_rows(40)))})
    product_import = ProductImport.objects.get()
    progress_url = f"/products/imports/{product_import.pk}/"
    assert response.status_code == 302
    assert response["Location"] == progress_url

    ProductImport.objects.filter(pk=product_import.pk).update(status="running", processed_rows=10)
    page = client.get(progress_url).content.decode()
    status = client.get(f"{progress_url}status/", HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="{progress_url}status/"' in page
    assert '<progress class="import-progress" max="100" value="25">' in status
    assert "Checking rows: 10 of 40" in status
    assert "<html" not in status


def test_a_finished_import_stops_polling_and_shows_the_outcome(client, merchant):
    done = ProductImport.objects.create(
        merchant=merchant.organisation, status="succeeded", total_rows=40, processed_rows=40,
        created_count=38, updated_count=2,
    )  # fmt: skip
    failed = ProductImport.objects.create(
        merchant=merchant.organisation, status="failed", total_rows=40, processed_rows=40,
        errors=[{"line": 7, "field": "price", "message": "The price must be greater than 0."}],
    )  # fmt: skip
    client.force_login(merchant)

    succeeded = client.get(f"/products/imports/{done.pk}/status/").content.decode()
    rejected = client.get(f"/products/imports/{failed.pk}/status/").content.decode()

    assert "hx-trigger" not in succeeded and "38 created, 2 updated." in succeeded
    assert "hx-trigger" not in rejected
    assert '<td class="num">7</td><td><code>price</code></td>' in rejected


def test_another_merchants_import_is_not_found(client, merchant, member_factory):
    other = ProductImport.objects.create(merchant=member_factory(Role.MERCHANT).organisation)
    client.force_login(merchant)

    assert client.get(f"/products/imports/{other.pk}/").status_code == 404
    assert client.get(f"/products/imports/{other.pk}/status/").status_code == 404


def test_the_export_link_downloads_the_listed_products(client, merchant):
    ProductFactory(merchant=merchant.organisation, sku="A-1", stock=0)
    ProductFactory(merchant=merchant.organisation, sku="B-1", stock=80)
    client.force_login(merchant)

    response = client.get("/products/export/", {"stock": "out"})

    assert response["Content-Disposition"] == 'attachment; filename="products.csv"'
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert (
        lines[0]
        == "sku,title,category,brand,price,stock,sample_stock,storefront_url,image_url,status"
    )
    assert [line.split(",")[0] for line in lines[1:]] == ["A-1"]


def test_merchants_have_a_products_entry_in_the_navigation(client, merchant, buyer):
    client.force_login(merchant)
    assert 'href="/products/"' in client.get("/").content.decode()
    client.force_login(buyer)
    assert 'href="/products/"' not in client.get("/").content.decode()


def test_the_import_page_lists_recent_large_imports_with_their_progress_pages(client, merchant):
    item = ProductImport.objects.create(
        merchant=merchant.organisation, filename="spring.csv", status="running", total_rows=4000
    )
    client.force_login(merchant)

    page = client.get("/products/import/").content.decode()

    assert "spring.csv" in page and '<td class="num">4000</td>' in page
    assert f'<a href="/products/imports/{item.pk}/">Details</a>' in page
