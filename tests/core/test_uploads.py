"""Every CSV upload path refuses a file by its name, declared type, size and content, before
reading a row: product import, order import and shipping by CSV, through the API and the portal.

Each refused file would otherwise import (valid rows in it), so "nothing imported" can fail.
"""

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from commissions.models import Order, OrderImport
from core import csv_upload
from core.csv_upload import RowError
from influencers.models import SampleRequest
from merchants.models import Product, ProductImport
from tests.commissions.orders_support import order_csv, order_row
from tests.conftest import MemberClient
from tests.factories import EnrollmentFactory, OrganisationFactory, UserFactory
from tests.merchants.conftest import csv_text, product_row

pytestmark = pytest.mark.django_db

WRONG_NAME = "Upload a .csv or .txt file; {name} is neither."
EXCEL = (
    "This is an Excel workbook, not a CSV file. In Excel choose Save As, then "
    "CSV UTF-8 (Comma delimited), and upload that file."
)
NOT_TEXT = "The file is not text (it contains NUL bytes). Save it as CSV UTF-8 and try again."
WRONG_TYPE = "The file was sent as {type}, not as CSV text. Save it as CSV UTF-8 and try again."
TOO_LARGE = "The file is larger than 1 MB. Split it into smaller files."


@dataclass
class Shop:
    """A merchant with an approved sample request waiting to ship."""

    merchant: object
    sample: SampleRequest


@pytest.fixture
def shop() -> Shop:
    enrollment = EnrollmentFactory(status="approved", product__sample_stock=2)
    sample = SampleRequest.objects.create(
        buyer=OrganisationFactory(role="buyer"), enrollment=enrollment, status="approved",
        unit_reserved=True, approve_by=timezone.now(), ship_by=timezone.now() + timedelta(days=5),
    )  # fmt: skip
    return Shop(merchant=UserFactory(organisation=enrollment.product.merchant), sample=sample)


@dataclass(frozen=True)
class UploadPath:
    """One way in: ``csv`` builds a file that imports cleanly; ``state`` is what it changes."""

    id: str
    api_url: str
    portal_url: str
    csv: Callable[[Shop], str]
    state: Callable[[], object]


PATHS = [
    UploadPath(
        "products",
        "/api/v1/products/import/",
        "/products/import/",
        lambda shop: csv_text([product_row(sku="UP-1")]),
        lambda: (Product.objects.filter(sku="UP-1").count(), ProductImport.objects.count()),
    ),
    UploadPath(
        "orders",
        "/api/v1/orders/import/",
        "/orders/import/",
        lambda shop: order_csv([order_row("SO-UP-1", sku=shop.sample.enrollment.product.sku)]),
        lambda: (Order.objects.count(), OrderImport.objects.count()),
    ),
    UploadPath(
        "shipments",
        "/api/v1/sample-requests/ship-import/",
        "/samples/ship-import/",
        lambda shop: f"sample_request,carrier,tracking_number\n{shop.sample.pk},SF,SF1\n",
        lambda: list(SampleRequest.objects.values_list("status", "tracking_number")),
    ),
]


def workbook() -> bytes:
    """The first bytes Excel writes for .xlsx: a zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def padded(text: str) -> bytes:
    """A valid file just over 1 MB: blank records at the end are skipped by the import."""
    return text.encode() + b"\r\n" * (512 * 1024)


# (case id, file name, content from the good CSV, declared type, expected message)
REFUSED = [
    ("wrong-extension", "products.json", str.encode, "text/csv", WRONG_NAME),
    ("no-extension", "export", str.encode, "text/csv", WRONG_NAME),
    ("xlsx-name", "products.xlsx", lambda text: workbook(), "application/octet-stream", EXCEL),
    ("xlsx-bytes-named-csv", "products.csv", lambda text: workbook(), "text/csv", EXCEL),
    ("xlsx-type", "products.csv", str.encode,
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", EXCEL),
    ("utf16-nul-bytes", "products.csv", lambda text: text.encode("utf-16"), "text/csv", NOT_TEXT),
    ("nul-byte", "products.csv", lambda text: text.encode() + b"\x00", "text/csv", NOT_TEXT),
    ("image-type", "products.csv", str.encode, "image/png", WRONG_TYPE),
    ("octet-stream-txt", "products.txt", str.encode, "application/octet-stream", WRONG_TYPE),
    ("oversized", "products.csv", padded, "text/csv", TOO_LARGE),
]  # fmt: skip
ACCEPTED = [
    ("csv", "products.csv", "text/csv"),
    ("windows-excel-type", "Products.CSV", "application/vnd.ms-excel"),
    ("unknown-type-csv", "products.csv", "application/octet-stream"),
    ("txt", "products.txt", "text/plain"),
    ("charset-parameter", "products.csv", "text/csv; charset=utf-8"),
]


@pytest.fixture(autouse=True)
def one_megabyte_limit(monkeypatch):
    monkeypatch.setattr(csv_upload, "MAX_UPLOAD_BYTES", 1024 * 1024)


def expected_message(template: str, name: str, declared: str) -> str:
    return template.format(name=name, type=declared.split(";")[0])


def api_upload(shop: Shop, path: UploadPath, upload: SimpleUploadedFile):
    api = MemberClient().as_member(shop.merchant)
    return api.post(path.api_url, {"file": upload}, format="multipart")


def portal_upload(shop: Shop, path: UploadPath, upload: SimpleUploadedFile):
    client = Client()
    client.force_login(shop.merchant)
    return client.post(path.portal_url, {"file": upload})


def portal_file_errors(response) -> list[str]:
    """The messages the page shows against the file: the form's field, or the shipping
    page's table rows named ``file``."""
    if "form" in response.context:
        return response.context["form"].errors.get("file", [])
    rows = response.context["errors"]
    assert all(isinstance(row, RowError) and row.field == "file" for row in rows), rows
    return [row.message for row in rows]


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.id)
@pytest.mark.parametrize(
    ("case", "name", "content", "declared", "message"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_the_api_refuses_the_file_and_imports_nothing(
    shop, path, case, name, content, declared, message
):
    before = path.state()
    upload = SimpleUploadedFile(name, content(path.csv(shop)), declared)

    response = api_upload(shop, path, upload)

    assert response.status_code == 400, response.content[:300]
    assert response.json() == {"file": [expected_message(message, name, declared)]}
    assert path.state() == before


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.id)
@pytest.mark.parametrize(
    ("case", "name", "content", "declared", "message"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_the_portal_refuses_the_file_and_imports_nothing(
    shop, path, case, name, content, declared, message
):
    before = path.state()
    upload = SimpleUploadedFile(name, content(path.csv(shop)), declared)

    response = portal_upload(shop, path, upload)

    assert response.status_code == 400, response.content[:300]
    assert portal_file_errors(response) == [expected_message(message, name, declared)]
    assert path.state() == before


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.id)
@pytest.mark.parametrize(
    ("content", "message"),
    [(lambda text: workbook(), EXCEL), (lambda text: text.encode("utf-16"), NOT_TEXT)],
    ids=["xlsx", "utf16"],
)
def test_a_binary_request_body_is_refused_too(shop, path, content, message):
    before = path.state()
    api = MemberClient().as_member(shop.merchant)

    response = api.post(path.api_url, data=content(path.csv(shop)), content_type="text/csv")

    assert response.status_code == 400
    assert response.json() == {"file": [message]}
    assert path.state() == before


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.id)
@pytest.mark.parametrize(("case", "name", "declared"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_what_browsers_send_for_a_csv_file_is_accepted(shop, path, case, name, declared):
    before = path.state()
    upload = SimpleUploadedFile(name, path.csv(shop).encode(), declared)

    response = api_upload(shop, path, upload)

    assert response.status_code == 200, response.content[:300]
    assert path.state() != before


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.id)
def test_a_file_just_under_the_limit_still_imports_in_the_portal(shop, path):
    text = path.csv(shop)
    content = padded(text)[: csv_upload.MAX_UPLOAD_BYTES]
    before = path.state()

    response = portal_upload(shop, path, SimpleUploadedFile("file.csv", content, "text/csv"))

    assert response.status_code == 302, response.content[:300]
    assert path.state() != before
