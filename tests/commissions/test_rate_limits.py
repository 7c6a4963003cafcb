"""Per-address limits on the tracked-link redirect and on the order webhook (core/ratelimit.py).
Redirect over the limit: still a 302 to the storefront, but no click stored (unknown codes:
429). Webhook over the limit: 429 with Retry-After, nothing recorded. Other addresses are
unaffected; with the cache down both fail open (every redirect answers 302 and is stored)."""

import json
import socket
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from commissions.models import Click, Order, OrderEvent
from commissions.services.webhooks import signature_header
from core import ratelimit
from core.ratelimit import Rate, parse_rate
from tests.commissions.links_support import CHROME
from tests.commissions.orders_support import WEBHOOK_URL, event, line
from tests.factories import AffiliateLinkFactory

pytestmark = pytest.mark.django_db

VISITOR = "203.0.113.7"
NEIGHBOUR = "203.0.113.8"


@pytest.fixture(autouse=True)
def clicks_written_directly_and_limits_on(settings, monkeypatch):
    settings.CLICK_BUFFER_URL = ""  # clicks land in the database at once, to be counted
    monkeypatch.setattr(ratelimit, "_down_until", 0.0)  # no outage left over from another test


@pytest.fixture
def link():
    return AffiliateLinkFactory(enrollment__product__storefront_url="https://shop.example.com/7")


def visit(client, link, address=VISITOR, **headers):
    return client.get(
        f"/l/{link.code}", headers={"User-Agent": CHROME, **headers}, REMOTE_ADDR=address
    )


def retry_after(response) -> int:
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= 120, seconds  # the window slides over the last two minutes
    return seconds


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once the socket closes: nothing listens there


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }


# -- the redirect ------------------------------------------------------------------------------


def test_over_the_limit_the_shopper_still_reaches_the_store_but_no_click_is_stored(
    client, settings, link
):
    settings.REDIRECT_RATE_LIMIT = "3/min"

    under = [visit(client, link) for _ in range(3)]
    over = visit(client, link)

    assert [response.status_code for response in under] == [302, 302, 302]
    assert all("click_id=" in response["Location"] for response in under)
    assert over.status_code == 302
    assert over["Location"] == link.enrollment.product.storefront_url  # no click id
    assert Click.objects.count() == 3


def test_another_address_is_not_limited_by_the_first(client, settings, link):
    settings.REDIRECT_RATE_LIMIT = "3/min"
    for _ in range(4):
        visit(client, link)

    response = visit(client, link, address=NEIGHBOUR)

    assert response.status_code == 302
    assert Click.objects.count() == 4  # three of the visitor, one of the neighbour


def test_the_limit_lifts_when_the_last_minute_holds_few_enough_requests(client, settings, link):
    settings.REDIRECT_RATE_LIMIT = "2/min"
    start = timezone.now().replace(second=5, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        codes = [visit(client, link).status_code for _ in range(3)]
        stored_in_the_minute = Click.objects.count()
        wait = retry_after(client.get("/l/Guess1", REMOTE_ADDR=VISITOR))
    with time_machine.travel(start + timedelta(seconds=wait), tick=False):
        later = visit(client, link)

    assert codes == [302, 302, 302]
    assert stored_in_the_minute == 2
    # 4 hits at 0:05; at 1:45 a quarter of that minute is still within the last 60 s:
    # 1 + 4 x 0.25 = 2 requests, within 2/min.
    assert wait == 100
    assert "click_id=" in later["Location"]
    assert Click.objects.count() == 3


def test_a_burst_across_the_minute_boundary_is_limited_too(client, settings, link):
    settings.REDIRECT_RATE_LIMIT = "2/min"
    boundary = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(boundary - timedelta(seconds=1), tick=False):
        before = [visit(client, link) for _ in range(2)]
    with time_machine.travel(boundary, tick=False):
        after = visit(client, link)

    assert all("click_id=" in response["Location"] for response in before)
    assert after.status_code == 302
    assert "click_id=" not in after["Location"]  # a fixed window would have counted it afresh
    assert Click.objects.count() == 2


def test_probing_for_codes_counts_towards_the_limit(client, settings, link):
    settings.REDIRECT_RATE_LIMIT = "3/min"
    unknown = [client.get(f"/l/Guess{n}", REMOTE_ADDR=VISITOR).status_code for n in range(3)]

    guess = client.get("/l/Guess9", REMOTE_ADDR=VISITOR)
    response = visit(client, link)

    assert unknown == [404, 404, 404]
    assert guess.status_code == 429
    retry_after(guess)
    assert response.status_code == 302
    assert not Click.objects.exists()


def test_a_forged_forwarded_header_does_not_dodge_the_limit(client, settings, link):
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REDIRECT_RATE_LIMIT = "3/min"

    for n in range(4):
        visit(client, link, **{"X-Forwarded-For": f"10.9.9.{n}, {VISITOR}"})

    assert Click.objects.count() == 3


def test_with_the_cache_down_every_redirect_still_answers_302(
    client, settings, link, cache_down, caplog
):
    settings.REDIRECT_RATE_LIMIT = "1/min"

    codes = [visit(client, link).status_code for _ in range(3)]

    assert codes == [302, 302, 302]
    assert Click.objects.count() == 3
    assert "rate limits off" in caplog.text


# -- the order webhook -------------------------------------------------------------------------


def deliver(client, n: int, address: str = VISITOR, *, signed: bool = True):
    """The storefront's order.paid event number ``n`` from ``address``."""
    raw = json.dumps(event(f"evt-{n}", "paid", f"SO-{n}", [line("DRESS-1")])).encode()
    stamp = int(time.time())
    header = signature_header(body=raw, timestamp=stamp, secret=settings.ORDER_WEBHOOK_SECRET)
    return client.post(
        WEBHOOK_URL,
        data=raw,
        content_type="application/json",
        HTTP_X_SIGNATURE=header if signed else f"t={stamp},v1=00",
        REMOTE_ADDR=address,
    )


def test_a_storefront_over_the_webhook_limit_gets_429_and_nothing_is_recorded(client, settings):
    settings.WEBHOOK_RATE_LIMIT = "2/min"

    under = [deliver(client, n).status_code for n in (1, 2)]
    over = deliver(client, 3)

    assert under == [201, 201]
    assert over.status_code == 429
    retry_after(over)
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["SO-1", "SO-2"]
    assert not OrderEvent.objects.filter(event_id="evt-3").exists()


def test_unsigned_requests_count_too_and_another_address_is_not_limited(client, settings):
    settings.WEBHOOK_RATE_LIMIT = "2/min"
    forged = [deliver(client, n, signed=False) for n in (1, 2)]

    limited = deliver(client, 3)
    neighbour = deliver(client, 4, NEIGHBOUR)

    assert [response.status_code for response in forged] == [400, 400]
    assert limited.status_code == 429
    assert neighbour.status_code == 201
    assert list(Order.objects.values_list("external_id", flat=True)) == ["SO-4"]


def test_with_the_cache_down_the_webhook_still_records_events(client, settings, cache_down):
    settings.WEBHOOK_RATE_LIMIT = "1/min"

    codes = [deliver(client, n).status_code for n in (1, 2)]

    assert codes == [201, 201]
    assert Order.objects.count() == 2


# -- the rates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("600", Rate(600, 60)),  # a bare number is a minute's
        ("1000000", Rate(1_000_000, 60)),
        ("600/min", Rate(600, 60)),
        ("600/m", Rate(600, 60)),
        ("10/s", Rate(10, 1)),
        ("10/second", Rate(10, 1)),
        ("36000/h", Rate(36000, 3600)),
        ("1000/hour", Rate(1000, 3600)),
        ("30/hours", Rate(30, 3600)),
        ("5/day", Rate(5, 86400)),
        (" 5 / Minutes ", Rate(5, 60)),
        ("", None),
    ],
)
def test_rates_read_as_people_write_them(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["fast", "0", "-5/min", "1.5/s", "10/ms", "600/fortnight",
                                  "600/min/ip", "/min"])  # fmt: skip
def test_other_rates_are_refused_saying_what_to_write(text):
    with pytest.raises(ValueError, match=r"such as 600 \(a minute\), 600/min, 10/s or 36000/h"):
        parse_rate(text)


def test_a_bare_number_limits_the_redirect_instead_of_failing_it(client, settings, link):
    settings.REDIRECT_RATE_LIMIT = "1000000"

    response = visit(client, link)

    assert response.status_code == 302 and "click_id=" in response["Location"]
    assert Click.objects.count() == 1


def test_an_empty_setting_means_no_limit(client, settings, link):
    settings.REDIRECT_RATE_LIMIT = ""

    codes = {visit(client, link).status_code for _ in range(5)}

    assert codes == {302}
