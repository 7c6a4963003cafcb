"""What a click keeps: a salted hash of the IP only, and the bot and duplicate flags."""

import hashlib
import hmac
from datetime import timedelta

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.utils import timezone

from commissions.models import Click
from commissions.services.clicks import BOT_MARKERS, ClickData, is_bot_agent, store_clicks
from tests.commissions.links_support import CHROME
from tests.factories import AffiliateLinkFactory

pytestmark = pytest.mark.django_db

VISITOR = "203.0.113.77"


@pytest.fixture(autouse=True)
def clicks_written_directly(settings):
    settings.CLICK_BUFFER_URL = ""
    settings.CLICK_IP_SALT = "test-salt"


@pytest.fixture
def link():
    return AffiliateLinkFactory()


def visit(client, link, ip=VISITOR, agent=CHROME, **extra):
    return client.get(f"/l/{link.code}", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent, **extra)


def expected_hash(ip: str) -> str:
    return hmac.new(b"test-salt", ip.encode(), hashlib.sha256).hexdigest()


def test_the_ip_is_stored_only_as_a_salted_hash(client, link):
    visit(client, link, HTTP_REFERER="https://live.example.com/room/9")

    click = Click.objects.get()
    assert click.ip_hash == expected_hash(VISITOR)
    assert click.ip_hash != hashlib.sha256(VISITOR.encode()).hexdigest()  # salted
    row = model_to_dict(click)
    assert all(VISITOR not in str(value) for value in row.values())
    assert (click.user_agent, click.referrer) == (CHROME, "https://live.example.com/room/9")
    assert click.counted


def test_the_salt_changes_the_hash(client, link, settings):
    visit(client, link)
    settings.CLICK_IP_SALT = "another-salt"
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        visit(client, link)

    first, second = Click.objects.order_by("clicked_at")
    assert first.ip_hash != second.ip_hash


def test_behind_our_proxy_the_address_it_added_is_the_visitor(client, link, settings):
    settings.BEHIND_TLS_PROXY = True

    # The visitor sent a forged header; our proxy appended the address it saw.
    visit(client, link, ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"203.0.113.99, {VISITOR}")

    assert Click.objects.get().ip_hash == expected_hash(VISITOR)


def test_behind_two_proxies_of_ours_the_second_hop_from_the_right_is_the_visitor(
    client, link, settings
):
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 2

    visit(client, link, ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{VISITOR}, 10.0.0.1")

    assert Click.objects.get().ip_hash == expected_hash(VISITOR)


def test_without_a_proxy_a_forwarded_header_is_ignored(client, link, settings):
    settings.BEHIND_TLS_PROXY = False

    visit(client, link, HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert Click.objects.get().ip_hash == expected_hash(VISITOR)


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0 Safari/537.36",
        "",
    ],
)
def test_robots_are_stored_flagged_and_not_counted(client, link, agent):
    response = visit(client, link, agent=agent)

    assert response.status_code == 302
    click = Click.objects.get()
    assert (click.is_bot, click.is_duplicate, click.counted) == (True, False, False)


def test_people_on_phones_are_not_robots():
    wechat = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI"
    )
    douyin = "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 aweme_300000 JsSdk/2.0"

    assert not any(is_bot_agent(agent) for agent in (CHROME, wechat, douyin))
    assert all(is_bot_agent(f"x {marker.upper()} y") for marker in BOT_MARKERS)


def test_a_repeat_within_30_seconds_is_a_duplicate_but_not_at_31(client, link):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        visit(client, link)
        clock.shift(timedelta(seconds=30))
        visit(client, link)  # 30 s after the counted click: duplicate
        clock.shift(timedelta(seconds=1))
        visit(client, link)  # 31 s after it: counted again
        visit(client, link, ip="198.51.100.9")  # someone else at the same moment

    flags = list(Click.objects.order_by("clicked_at", "id").values_list("is_duplicate", "is_bot"))
    assert flags == [(False, False), (True, False), (False, False), (False, False)]
    assert Click.objects.filter(is_bot=False, is_duplicate=False).count() == 3


def test_repeats_are_per_link(client, link):
    other = AffiliateLinkFactory()
    with time_machine.travel(timezone.now(), tick=False):
        visit(client, link)
        visit(client, other)

    assert not Click.objects.filter(is_duplicate=True).exists()


def test_a_batch_is_judged_in_time_order_against_the_database(link):
    start = timezone.now()

    def data(n, seconds, ip="h1", agent=CHROME):
        return ClickData(f"c{n}", link.pk, start + timedelta(seconds=seconds), ip, agent, "")

    store_clicks(clicks=[data(0, 0)])
    store_clicks(clicks=[data(3, 45), data(2, 31), data(1, 20), data(4, 50, agent="curl/8")])

    flags = dict(Click.objects.values_list("click_id", "is_duplicate"))
    assert flags == {"c0": False, "c1": True, "c2": False, "c3": True, "c4": False}
    assert Click.objects.get(click_id="c4").is_bot


def test_storing_the_same_clicks_twice_keeps_one_of_each(link):
    clicks = [ClickData(f"c{n}", link.pk, timezone.now(), f"h{n}", CHROME, "") for n in range(3)]

    store_clicks(clicks=clicks)
    store_clicks(clicks=clicks)

    assert Click.objects.count() == 3
    assert not Click.objects.filter(is_duplicate=True).exists()


def test_clicks_of_a_deleted_link_are_dropped(link):
    ghost = ClickData("ghost", 987_654, timezone.now(), "h", CHROME, "")
    real = ClickData("real", link.pk, timezone.now(), "h", CHROME, "")

    store_clicks(clicks=[ghost, real])

    assert list(Click.objects.values_list("click_id", flat=True)) == ["real"]


def test_long_agents_and_referrers_are_cut_to_fit(client, link):
    visit(client, link, agent=CHROME + "x" * 500, HTTP_REFERER="https://r.example/" + "y" * 900)

    click = Click.objects.get()
    assert (len(click.user_agent), len(click.referrer)) == (300, 500)
