"""The click buffer: redirect -> Redis stream -> beat flush -> PostgreSQL, losing nothing."""

import uuid
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.utils import timezone

from commissions import click_buffer, tasks
from commissions.models import Click
from commissions.services.clicks import ClickData
from tests.commissions.links_support import CHROME
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import AffiliateLinkFactory

needs_redis = pytest.mark.skipif(
    not django_settings.REDIS_URL,
    reason="needs a Redis: set REDIS_URL=redis://127.0.0.1:6379/0 (bash .ci/run does)",
)
CLOSED_PORT = "redis://127.0.0.1:6390/0"


@pytest.fixture
def stream(settings):
    """A stream of this test's own on the shared Redis, removed afterwards."""
    settings.CLICK_BUFFER_URL = settings.REDIS_URL
    settings.CLICK_STREAM = f"test-clicks-{uuid.uuid4().hex}"
    connection_ = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    yield connection_
    connection_.delete(settings.CLICK_STREAM)
    connection_.close()


def pending(stream_connection) -> int:
    return stream_connection.xpending(django_settings.CLICK_STREAM, click_buffer.GROUP)["pending"]


def length(stream_connection) -> int:
    return stream_connection.xlen(django_settings.CLICK_STREAM)


def buffered(link, n, ip=None) -> ClickData:
    return ClickData(f"c{n}", link.pk, timezone.now(), ip or f"ip-{n}", CHROME, "")


@needs_redis
@pytest.mark.django_db
def test_a_click_waits_in_the_stream_until_the_flush(client, stream):
    link = AffiliateLinkFactory()

    response = client.get(f"/l/{link.code}", HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.5")

    assert response.status_code == 302
    assert not Click.objects.exists()
    [(_, fields)] = stream.xrange(django_settings.CLICK_STREAM)
    click_id = response["Location"].split("click_id=")[1]
    assert fields["click_id"] == click_id and fields["link_id"] == str(link.pk)
    assert "203.0.113.5" not in str(fields)

    assert tasks.flush_click_stream() == 1

    click = Click.objects.get()
    assert (click.click_id, click.link, click.user_agent) == (click_id, link, CHROME)
    assert click.ip_hash == fields["ip_hash"]
    assert (length(stream), pending(stream)) == (0, 0)


@needs_redis
@pytest.mark.django_db
def test_flags_are_judged_at_the_flush_as_if_written_directly(stream):
    link = AffiliateLinkFactory()
    start = timezone.now()
    clicks = [
        ClickData("a", link.pk, start, "same", CHROME, ""),
        ClickData("b", link.pk, start + timedelta(seconds=10), "same", CHROME, ""),
        ClickData("c", link.pk, start + timedelta(seconds=41), "same", CHROME, ""),
        ClickData("d", link.pk, start, "other", "Googlebot/2.1", ""),
    ]
    for click in clicks:
        click_buffer.append(click)

    click_buffer.flush(batch_size=2)

    rows = {c.click_id: (c.is_duplicate, c.is_bot) for c in Click.objects.all()}
    assert rows == {
        "a": (False, False), "b": (True, False), "c": (False, False), "d": (False, True)
    }  # fmt: skip


@needs_redis
@pytest.mark.django_db
def test_a_batch_is_acknowledged_only_after_the_database_has_it(stream, monkeypatch):
    link = AffiliateLinkFactory()
    for n in range(3):
        click_buffer.append(buffered(link, n))

    def database_down(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(click_buffer, "store_clicks", database_down)
    with pytest.raises(RuntimeError):
        click_buffer.flush()

    assert not Click.objects.exists()
    assert (length(stream), pending(stream)) == (3, 3)

    monkeypatch.undo()
    assert click_buffer.flush() == 3

    assert sorted(Click.objects.values_list("click_id", flat=True)) == ["c0", "c1", "c2"]
    assert (length(stream), pending(stream)) == (0, 0)


@needs_redis
@pytest.mark.django_db
def test_the_batch_of_a_dead_consumer_is_reclaimed(stream, settings):
    link = AffiliateLinkFactory()
    click_buffer.append(buffered(link, 1))
    click_buffer.ensure_group(stream, settings.CLICK_STREAM)
    stream.xreadgroup(click_buffer.GROUP, "died-mid-batch", {settings.CLICK_STREAM: ">"})
    assert click_buffer.flush() == 0  # not idle long enough yet: it may still be working

    settings.CLICK_CLAIM_IDLE_MS = 0
    assert click_buffer.flush() == 1

    assert Click.objects.get().click_id == "c1"
    assert pending(stream) == 0


@needs_redis
@pytest.mark.django_db
def test_an_unreadable_entry_is_dropped_not_retried_forever(stream, settings):
    link = AffiliateLinkFactory()
    stream.xadd(settings.CLICK_STREAM, {"click_id": "broken"})
    click_buffer.append(buffered(link, 1))

    assert click_buffer.flush() == 1

    assert (length(stream), pending(stream)) == (0, 0)


@needs_redis
@pytest.mark.skipif(not uses_postgresql(), reason="concurrent writers need PostgreSQL")
def test_two_flushes_at_once_store_each_click_exactly_once(transactional_db, stream):
    links = [AffiliateLinkFactory() for _ in range(4)]
    total = 600
    for n in range(total):
        click_buffer.append(buffered(links[n % 4], n))

    results = run_together(*[lambda: click_buffer.flush(batch_size=25)] * 2)

    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    assert Click.objects.count() == total
    assert Click.objects.values("click_id").distinct().count() == total
    assert sum(results) == total
    assert (length(stream), pending(stream)) == (0, 0)


@pytest.mark.django_db
def test_with_redis_down_the_click_is_written_directly(client, settings, caplog):
    settings.CLICK_BUFFER_URL = CLOSED_PORT
    click_buffer._down_until.pop(CLOSED_PORT, None)
    link = AffiliateLinkFactory()

    response = client.get(f"/l/{link.code}", HTTP_USER_AGENT=CHROME)
    again = client.get(f"/l/{link.code}", HTTP_USER_AGENT=CHROME)  # skips Redis for a while

    assert (response.status_code, again.status_code) == (302, 302)
    clicks = list(Click.objects.order_by("clicked_at"))
    assert [c.click_id for c in clicks] == [
        r["Location"].split("click_id=")[1] for r in (response, again)
    ]
    assert [c.is_duplicate for c in clicks] == [False, True]
    assert "click buffer unavailable" in caplog.text
    click_buffer._down_until.pop(CLOSED_PORT, None)


@pytest.mark.django_db
def test_without_a_buffer_the_flush_has_nothing_to_do(settings):
    settings.CLICK_BUFFER_URL = ""

    assert tasks.flush_click_stream() == 0


def test_the_flush_runs_on_beat_and_expires_before_the_next_run(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["flush-click-stream"]

    assert entry["task"] == "commissions.tasks.flush_click_stream"
    assert entry["options"]["expires"] < entry["schedule"] <= 15
    assert entry["options"]["expires"] > click_buffer.FLUSH_BUDGET_SECONDS
