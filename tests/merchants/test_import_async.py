"""Files above PRODUCT_IMPORT_SYNC_MAX_ROWS run as a Celery task after commit.

Celery is eager without REDIS_URL; with it (CI), the settings fixture makes it
eager too, so the task enqueued on commit runs here in-process either way.
"""

from decimal import Decimal

import pytest

from merchants import csv_import, tasks
from merchants.models import Product, ProductImport
from tests.factories import ProductFactory, category
from tests.merchants.conftest import csv_text, generated_rows, product_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def progress_seen(monkeypatch):
    """processed_rows as read back from the database after each checked chunk."""
    seen: list[tuple[str, int]] = []
    real_check_rows = csv_import.check_rows

    def check_rows(table, *, on_progress=None, **options):
        def record(done: int) -> None:
            on_progress(done)
            row = ProductImport.objects.get()
            seen.append((row.status, row.processed_rows))

        return real_check_rows(table, on_progress=record if on_progress else None, **options)

    monkeypatch.setattr(csv_import, "check_rows", check_rows)
    return seen


def test_ten_thousand_rows_run_in_the_background_with_progress(
    api, post_csv, merchant, django_capture_on_commit_callbacks, progress_seen
):
    org = merchant.organisation
    ProductFactory(merchant=org, sku="GEN-00007", stock=999, price=Decimal("1.00"))
    # exactly as the file has it, so it is not counted as updated:
    ProductFactory(merchant=org, sku="GEN-00008", title="Generated item 8", price=Decimal("18.50"),
                   stock=8, storefront_url="https://shop.example.com/item/8",
                   category=category("dresses"),
                   image_url="https://img.example.com/1.jpg")  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_csv(merchant, csv_text(generated_rows(10_000)))

    assert response.status_code == 202
    body = response.json()
    assert body == {
        "id": body["id"],
        "status": "queued",
        "url": f"http://testserver/api/v1/product-imports/{body['id']}/",
    }
    # one task queued (GEN-00007's new address also tells redirects and enrollments, on commit)
    assert [callback.__qualname__ for callback in callbacks].count("queue.<locals>.<lambda>") == 1
    assert progress_seen == [("running", n) for n in range(500, 10_001, 500)]
    done = api.get(body["url"]).json()
    assert done == {
        "id": body["id"],
        "filename": "",
        "status": "succeeded",
        "total_rows": 10_000,
        "processed_rows": 10_000,
        "percent": 100,
        "created_count": 9_998,
        "updated_count": 1,
        "errors": [],
        "created_at": done["created_at"],
        "finished_at": done["finished_at"],
    }
    assert Product.objects.filter(merchant=org).count() == 10_000
    assert Product.objects.get(merchant=org, sku="GEN-00007").stock == 7
    assert Product.objects.get(merchant=org, sku="GEN-09999").price == Decimal("19.50")
    assert ProductImport.objects.get().content == ""


def test_a_second_run_of_a_finished_import_does_nothing(post_csv, merchant, settings):
    settings.PRODUCT_IMPORT_SYNC_MAX_ROWS = 5
    response = post_csv(merchant, csv_text(generated_rows(6)))
    import_id = response.json()["id"]
    tasks.run_product_import.apply(args=[import_id])  # the first run (on_commit is not run here)
    Product.objects.filter(sku="GEN-00001").update(stock=77)

    second = tasks.run_product_import.apply(args=[import_id]).get()

    assert second is False
    assert Product.objects.get(sku="GEN-00001").stock == 77
    assert ProductImport.objects.get().created_count == 6


def test_a_bad_large_file_fails_with_every_error_and_writes_nothing(
    api, post_csv, merchant, settings, django_capture_on_commit_callbacks
):
    settings.PRODUCT_IMPORT_SYNC_MAX_ROWS = 100
    rows = generated_rows(1_500)
    rows[700]["stock"] = "-4"  # line 702
    rows[1_400]["category"] = "socks"  # line 1402
    rows[1_499]["sku"] = rows[3]["sku"]  # line 1501 repeats line 5

    with django_capture_on_commit_callbacks(execute=True):
        body = post_csv(merchant, csv_text(rows)).json()
    result = api.get(body["url"]).json()

    assert result["status"] == "failed"
    assert (result["processed_rows"], result["percent"]) == (1_500, 100)
    assert result["errors"] == [
        {"line": 702, "field": "stock", "message": "Stock cannot be negative."},
        {"line": 1402, "field": "category", "message": 'Unknown category "socks".'},
        {"line": 1501, "field": "sku", "message": "This SKU is already on line 5."},
    ]
    assert not Product.objects.exists()


def test_a_bad_header_answers_at_once_even_for_a_large_file(post_csv, merchant, settings):
    settings.PRODUCT_IMPORT_SYNC_MAX_ROWS = 1
    text = csv_text([product_row(), product_row(sku="B")], columns=["sku", "title"])

    response = post_csv(merchant, text)

    assert response.status_code == 400
    assert not ProductImport.objects.exists()


def test_imports_are_visible_to_their_merchant_only(api, post_csv, merchant, member_factory,
                                                    buyer, settings):  # fmt: skip
    settings.PRODUCT_IMPORT_SYNC_MAX_ROWS = 1
    url = post_csv(merchant, csv_text(generated_rows(2))).json()["url"]

    assert api.as_member(merchant).get(url).status_code == 200
    assert api.as_member(member_factory("merchant")).get(url).status_code == 404
    assert api.as_member(buyer).get(url).status_code == 403
    listed = api.as_member(merchant).get("/api/v1/product-imports/").json()
    assert [item["status"] for item in listed["results"]] == ["queued"]
