"""Order exports above ORDER_IMPORT_SYNC_MAX_ROWS run as a Celery task after commit, with
progress; a sweeper re-sends lost runs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commissions import order_csv, tasks
from commissions.models import Order, OrderEvent, OrderImport
from tests.commissions.orders_support import IMPORT_URL, order_row
from tests.commissions.orders_support import order_csv as csv_text
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_celery(settings):
    """The task enqueued on commit runs here in-process, with or without REDIS_URL."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def shop(merchant):
    ProductFactory(merchant=merchant.organisation, sku="DRESS-1")
    ProductFactory(merchant=merchant.organisation, sku="SCARF-2")
    return merchant


def export(orders: int) -> list[dict]:
    """Two rows (lines) per order."""
    return [
        order_row(f"SO-{n:05d}", sku, amount=f"{10 + n % 50}.00")
        for n in range(orders)
        for sku in ("DRESS-1", "SCARF-2")
    ]


def upload(api, user, rows):
    return api.as_member(user).post(
        IMPORT_URL, data=csv_text(rows).encode(), content_type="text/csv"
    )


@pytest.fixture
def progress_seen(monkeypatch):
    """(status, processed_rows) as read back from the database after each checked chunk."""
    seen: list[tuple[str, int]] = []
    real_check_rows = order_csv.check_rows

    def check_rows(table, *, merchant, on_progress=None):
        def record(done: int) -> None:
            on_progress(done)
            row = OrderImport.objects.get()
            seen.append((row.status, row.processed_rows))

        return real_check_rows(
            table, merchant=merchant, on_progress=record if on_progress else None
        )

    monkeypatch.setattr(order_csv, "check_rows", check_rows)
    return seen


def test_a_large_export_runs_in_the_background_with_progress(
    api, shop, django_capture_on_commit_callbacks, progress_seen
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = upload(api, shop, export(600))  # 1,200 rows

    assert response.status_code == 202
    body = response.json()
    assert body == {
        "id": body["id"],
        "status": "queued",
        "url": f"http://testserver/api/v1/order-imports/{body['id']}/",
    }
    assert len(callbacks) == 1
    assert progress_seen == [("running", 500), ("running", 1000), ("running", 1200)]
    done = api.get(body["url"]).json()
    assert done == {
        "id": body["id"],
        "filename": "",
        "status": "succeeded",
        "total_rows": 1200,
        "processed_rows": 1200,
        "percent": 100,
        "applied_events": 600,
        "errors": [],
        "created_at": done["created_at"],
        "finished_at": done["finished_at"],
    }
    assert Order.objects.count() == 600
    assert Order.objects.get(external_id="SO-00007").lines.count() == 2
    assert OrderImport.objects.get().content == ""


def test_a_bad_large_file_fails_with_every_error_and_applies_nothing(
    api, shop, settings, django_capture_on_commit_callbacks
):
    settings.ORDER_IMPORT_SYNC_MAX_ROWS = 5
    rows = export(5)
    rows[3]["amount"] = "-1"  # line 5
    rows[8]["sku"] = "NOPE"  # line 10

    with django_capture_on_commit_callbacks(execute=True):
        body = upload(api, shop, rows).json()
    result = api.get(body["url"]).json()

    assert result["status"] == "failed"
    assert result["errors"] == [
        {"line": 5, "field": "amount", "message": "Enter an amount such as 199.00, 0 or more."},
        {"line": 10, "field": "sku", "message": "SKU NOPE is not one of your products."},
    ]
    assert not Order.objects.exists() and not OrderEvent.objects.exists()


def test_a_second_run_of_a_finished_import_does_nothing(api, shop, settings):
    settings.ORDER_IMPORT_SYNC_MAX_ROWS = 5
    import_id = upload(api, shop, export(3)).json()["id"]
    tasks.run_order_import.apply(args=[import_id])  # the first run (on_commit not run here)

    second = tasks.run_order_import.apply(args=[import_id]).get()

    assert second is False
    assert OrderImport.objects.get().applied_events == 3
    assert OrderEvent.objects.count() == 3


def test_importing_the_large_file_again_applies_no_event(
    api, shop, settings, django_capture_on_commit_callbacks
):
    settings.ORDER_IMPORT_SYNC_MAX_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):
        upload(api, shop, export(4))
        upload(api, shop, export(4))

    assert list(OrderImport.objects.order_by("pk").values_list("status", "applied_events")) == [
        ("succeeded", 4),
        ("succeeded", 0),
    ]


def stalled(merchant, status, minutes_ago, **fields):
    order_import = OrderImport.objects.create(
        merchant=merchant.organisation,
        content=csv_text([order_row("SO-1", "DRESS-1")]),
        total_rows=1,
        status=status,
        **fields,
    )
    OrderImport.objects.filter(pk=order_import.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return order_import


def test_the_sweeper_resends_lost_runs_and_revives_dead_ones(shop):
    lost = stalled(shop, "queued", minutes_ago=10)
    fresh = stalled(shop, "queued", minutes_ago=1)
    dead = stalled(shop, "running", 60, started_at=timezone.now() - timedelta(minutes=45))

    assert tasks.sweep_stalled_order_imports.apply().get() == {"revived": 1, "resent": 2}

    for item in (lost, fresh, dead):
        item.refresh_from_db()
    assert (lost.status, dead.status, fresh.status) == ("succeeded", "succeeded", "queued")
    assert Order.objects.get().external_id == "SO-1"


def test_imports_are_visible_to_their_merchant_only(api, shop, buyer, member_factory, settings):
    settings.ORDER_IMPORT_SYNC_MAX_ROWS = 1
    url = upload(api, shop, export(1)).json()["url"]

    assert api.as_member(shop).get(url).status_code == 200
    assert api.as_member(member_factory("merchant")).get(url).status_code == 404
    assert api.as_member(buyer).get(url).status_code == 403
    listed = api.as_member(shop).get("/api/v1/order-imports/").json()
    assert [item["status"] for item in listed["results"]] == ["queued"]


def test_the_sweeper_is_in_the_beat_schedule_with_an_expiry(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stalled-order-imports"]

    assert entry["task"] == "commissions.tasks.sweep_stalled_order_imports"
    assert entry["options"]["expires"] < 300
