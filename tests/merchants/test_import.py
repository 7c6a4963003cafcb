from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from core.csv_upload import MAX_UPLOAD_BYTES
from merchants.models import Product, ProductImport
from tests.factories import ProductFactory, category
from tests.merchants.conftest import IMPORT_URL, csv_text, product_row

pytestmark = pytest.mark.django_db


def test_it_creates_and_updates_by_sku(post_csv, merchant):
    org = merchant.organisation
    existing = ProductFactory(merchant=org, sku="DRESS-001", stock=1, price=Decimal("150.00"))
    untouched = ProductFactory(merchant=org, sku="KEEP-1")
    text = csv_text([product_row(stock="80"), product_row(sku="NEW-1", category="home")])

    response = post_csv(merchant, text)

    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 1}
    before = existing.updated_at
    existing.refresh_from_db()
    assert (existing.stock, existing.price, existing.status) == (80, Decimal("199.00"), "active")
    assert existing.updated_at > before
    new = Product.objects.get(merchant=org, sku="NEW-1")
    assert new.category.slug == "home"
    assert new.title == "Linen midi dress"
    assert Product.objects.get(pk=untouched.pk).updated_at == untouched.updated_at


def test_it_accepts_a_multipart_file_field(api, merchant):
    upload = SimpleUploadedFile("products.csv", csv_text([product_row()]).encode(), "text/csv")

    response = api.as_member(merchant).post(IMPORT_URL, {"file": upload}, format="multipart")

    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 0}


def test_a_rejected_file_lists_every_bad_row_and_changes_nothing(post_csv, merchant):
    org = merchant.organisation
    ProductFactory(merchant=org, sku="DRESS-001", stock=7)
    rows = [
        product_row(stock="50"),  # line 2, fine on its own
        product_row(sku="B-1", stock="-2"),  # line 3
        product_row(sku="C-1", price="0", category="socks"),  # line 4: two problems
        product_row(sku="D-1"),  # line 5, fine
        product_row(sku="B-1", sample_stock="-1"),  # line 6: repeated SKU and negative samples
        product_row(sku="E-1", storefront_url="not a url", status="sold", price="abc"),  # line 7
        product_row(sku="", title=""),  # line 8
    ]

    response = post_csv(merchant, csv_text(rows))

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"line": 3, "field": "stock", "message": "Stock cannot be negative."},
        {"line": 4, "field": "category", "message": 'Unknown category "socks".'},
        {"line": 4, "field": "price", "message": "The price must be greater than 0."},
        {"line": 6, "field": "sample_stock", "message": "Sample stock cannot be negative."},
        {"line": 7, "field": "price", "message": "Enter a price such as 199.00."},
        {
            "line": 7,
            "field": "storefront_url",
            "message": "Enter a full web address starting with http:// or https://.",
        },
        {"line": 7, "field": "status", "message": "Use one of: draft, active, archived."},
        {"line": 8, "field": "sku", "message": "This value is required."},
        {"line": 8, "field": "title", "message": "This value is required."},
    ]
    assert Product.objects.filter(merchant=org).count() == 1
    assert Product.objects.get(merchant=org).stock == 7


def test_a_sku_repeated_in_the_file_is_an_error_on_the_later_line(post_csv, merchant):
    rows = [product_row(sku="A-1"), product_row(sku="B-1"), product_row(sku="A-1")]

    response = post_csv(merchant, csv_text(rows))

    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"line": 4, "field": "sku", "message": "This SKU is already on line 2."}]
    }
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("12.345", "Use at most 2 decimal places."),
        ("NaN", "Enter a price such as 199.00."),
        ("1e30", "The price is too large."),
        ("-1", "The price must be greater than 0."),
    ],
)
def test_prices_are_checked_cell_by_cell(post_csv, merchant, price, message):
    response = post_csv(merchant, csv_text([product_row(price=price)]))

    assert response.json() == {"errors": [{"line": 2, "field": "price", "message": message}]}


def test_stock_must_be_a_whole_number(post_csv, merchant):
    response = post_csv(
        merchant, csv_text([product_row(stock="1.5"), product_row(sku="X", stock="")])
    )

    assert response.json()["errors"] == [
        {"line": 2, "field": "stock", "message": "Enter a whole number, 0 or more."},
        {"line": 3, "field": "stock", "message": "Enter a whole number, 0 or more."},
    ]


def test_missing_and_unknown_columns_are_named(post_csv, merchant):
    text = "sku,title,colour,stock\nA-1,Dress,red,3\n"

    response = post_csv(merchant, text)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(error["line"], error["field"]) for error in errors} == {
        (1, "colour"), (1, "category"), (1, "price"), (1, "storefront_url"),
    }  # fmt: skip
    assert "Missing column price." in [error["message"] for error in errors]
    assert not Product.objects.exists()


def test_optional_columns_may_be_left_out_and_keep_existing_values(post_csv, merchant):
    existing = ProductFactory(merchant=merchant.organisation, sku="A-1", stock=33, brand="Old")
    columns = ["sku", "title", "category", "price", "storefront_url"]
    rows = [product_row(sku="A-1", title="Renamed"), product_row(sku="B-1")]

    response = post_csv(merchant, csv_text(rows, columns=columns))

    assert response.json() == {"created": 1, "updated": 1}
    existing.refresh_from_db()
    assert (existing.title, existing.stock, existing.brand) == ("Renamed", 33, "Old")
    new = Product.objects.get(sku="B-1")
    assert (new.stock, new.sample_stock, new.status, new.brand) == (0, 0, "draft", "")


def test_header_names_are_matched_loosely_and_blank_rows_are_skipped(post_csv, merchant):
    text = csv_text([product_row()]).replace("sku,title", " SKU , Title", 1) + ",,,,,,,,,\n\n"

    response = post_csv(merchant, text)

    assert response.json() == {"created": 1, "updated": 0}


def test_a_row_with_more_cells_than_the_header_is_reported(post_csv, merchant):
    text = csv_text([product_row()]).rstrip("\r\n") + ",extra\r\n"

    response = post_csv(merchant, text)

    assert response.json() == {
        "errors": [
            {"line": 2, "field": None, "message": "This row has more cells than the header."}
        ]
    }


def test_utf8_with_bom_from_excel(post_csv, merchant):
    text = csv_text([product_row(title="真丝连衣裙", brand="云裳")])

    response = post_csv(merchant, "\ufeff".encode() + text.encode("utf-8"))

    assert response.status_code == 200
    product = Product.objects.get(sku="DRESS-001")
    assert (product.title, product.brand) == ("真丝连衣裙", "云裳")


def test_gb18030_from_chinese_excel(post_csv, merchant):
    text = csv_text([product_row(title="纯棉四件套", category="bedding", brand="罗莱")])

    response = post_csv(merchant, text.encode("gb18030"))

    assert response.status_code == 200
    product = Product.objects.get(sku="DRESS-001")
    assert (product.title, product.brand, product.category.slug) == (
        "纯棉四件套",
        "罗莱",
        "bedding",
    )


def test_bytes_that_are_no_known_text_are_refused(post_csv, merchant):
    response = post_csv(merchant, b"sku,title\n\x81\x30\xff\xfe\n")

    assert response.status_code == 400
    assert response.json() == {
        "file": ["The file is not text in UTF-8 or GB18030. Save it as CSV UTF-8 and try again."]
    }


def test_an_oversized_body_is_refused(post_csv, merchant):
    header = csv_text([]).encode()
    body = header + b"x" * (MAX_UPLOAD_BYTES + 1 - len(header))

    response = post_csv(merchant, body)

    assert response.status_code == 400
    assert response.json() == {
        "file": ["The file is larger than 20 MB. Split it into smaller files."]
    }


def test_an_oversized_multipart_file_is_refused(api, merchant):
    upload = SimpleUploadedFile("big.csv", b"x" * (MAX_UPLOAD_BYTES + 1), "text/csv")

    response = api.as_member(merchant).post(IMPORT_URL, {"file": upload}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {
        "file": ["The file is larger than 20 MB. Split it into smaller files."]
    }


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"", "text/csv"), (b"  \n", "text/csv"), (b"", "multipart/form-data; boundary=x")],
)
def test_a_missing_file_is_explained(post_csv, merchant, body, content_type):
    response = post_csv(merchant, body, content_type=content_type)

    assert response.status_code == 400
    assert response.json() == {
        "file": [
            "Send a CSV file: as the request body with Content-Type text/csv, "
            "or as a multipart field named file."
        ]
    }


def test_json_is_not_a_csv(post_csv, merchant):
    assert post_csv(merchant, b"{}", content_type="application/json").status_code == 415


def test_a_header_without_rows_is_refused(post_csv, merchant):
    response = post_csv(merchant, csv_text([]))

    assert response.json() == {
        "errors": [
            {"line": 2, "field": None, "message": "The file has no products below the header."}
        ]
    }


def test_imports_only_touch_the_callers_products(post_csv, merchant, member_factory):
    other = member_factory(Role.MERCHANT)
    theirs = ProductFactory(merchant=other.organisation, sku="DRESS-001", stock=4)

    response = post_csv(merchant, csv_text([product_row(stock="90")]))

    assert response.json() == {"created": 1, "updated": 0}
    theirs.refresh_from_db()
    assert theirs.stock == 4


@pytest.mark.parametrize("role_fixture", ["buyer", "provider", "pending_provider"])
def test_only_merchants_import(post_csv, request, role_fixture):
    response = post_csv(request.getfixturevalue(role_fixture), csv_text([product_row()]))

    assert response.status_code == 403
    assert not Product.objects.exists()


EXPORTED = (
    "sku", "title", "category__slug", "brand", "price", "stock", "sample_stock",
    "storefront_url", "image_url", "status", "updated_at",
)  # fmt: skip


def test_export_round_trips_unchanged(api, post_csv, merchant):
    org = merchant.organisation
    ProductFactory(merchant=org, sku="A-1", title='Dress, "linen"', category=category("dresses"))
    ProductFactory(
        merchant=org,
        sku="B-1",
        title="真丝围巾",
        brand="",
        image_url="",
        category=category("scarves"),
        price=Decimal("18.50"),
        stock=0,
        status="archived",
    )
    before = sorted(Product.objects.filter(merchant=org).values_list(*EXPORTED))

    response = api.as_member(merchant).get("/api/v1/products/export/")
    content = b"".join(response.streaming_content)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert content.startswith("\ufeff".encode() + b"sku,title,category,brand,price,stock")
    assert b"scarves,,18.50,0,5" in content
    again = post_csv(merchant, content)
    assert again.json() == {"created": 0, "updated": 0}
    assert sorted(Product.objects.filter(merchant=org).values_list(*EXPORTED)) == before


def test_export_applies_the_list_filters_and_scoping(api, merchant, member_factory):
    ProductFactory(merchant=merchant.organisation, sku="A-1", stock=0)
    ProductFactory(merchant=merchant.organisation, sku="B-1", stock=50)
    ProductFactory(merchant=member_factory(Role.MERCHANT).organisation, sku="C-1", stock=0)

    response = api.as_member(merchant).get("/api/v1/products/export/", {"stock": "out"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()

    assert len(lines) == 2
    assert lines[1].startswith("A-1,")


def test_small_files_never_create_an_import_record(post_csv, merchant, settings):
    settings.PRODUCT_IMPORT_SYNC_MAX_ROWS = 2

    post_csv(merchant, csv_text([product_row(sku="A"), product_row(sku="B")]))

    assert not ProductImport.objects.exists()
    assert Product.objects.count() == 2
