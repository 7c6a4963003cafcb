"""A request body over MAX_REQUEST_BYTES is refused from its Content-Length, before Django
reads a byte of it (multipart files would otherwise be streamed to disk whatever their size)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from merchants.models import Product
from tests.merchants.conftest import IMPORT_URL

pytestmark = pytest.mark.django_db

CSV = (
    b"sku,title,category,price,storefront_url\nS-1,Scarf,scarves,9.90,https://shop.example.com/s\n"
)


@pytest.fixture
def small_limit(settings):
    settings.MAX_REQUEST_BYTES = 2 * 1024 * 1024
    return settings.MAX_REQUEST_BYTES


def test_an_api_body_declared_too_large_gets_413_and_nothing_is_read(api, merchant, small_limit):
    response = api.as_member(merchant).post(
        IMPORT_URL, data=CSV, content_type="text/csv", CONTENT_LENGTH=str(small_limit + 1)
    )

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request is larger than 2 MB. Split the file into smaller ones."
    }
    assert not Product.objects.exists()


def test_a_portal_upload_declared_too_large_gets_413(client, merchant, small_limit):
    client.force_login(merchant)
    upload = SimpleUploadedFile("products.csv", CSV, "text/csv")

    response = client.post(
        "/products/import/", {"file": upload}, CONTENT_LENGTH=str(small_limit + 1)
    )

    assert response.status_code == 413
    assert "larger than 2 MB" in response.content.decode()
    assert not Product.objects.exists()


def test_a_body_under_the_limit_goes_through(api, merchant, small_limit):
    response = api.as_member(merchant).post(IMPORT_URL, data=CSV, content_type="text/csv")

    assert response.status_code in (200, 201)
    assert Product.objects.filter(sku="S-1").exists()


def test_the_default_limit_fits_a_full_size_csv_upload(settings):
    from core.csv_upload import MAX_UPLOAD_BYTES

    assert MAX_UPLOAD_BYTES < settings.MAX_REQUEST_BYTES <= MAX_UPLOAD_BYTES + 2 * 1024 * 1024
