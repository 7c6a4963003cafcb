"""GET /l/<code>: a 302 to the storefront with a click id, whatever happens to the click."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from commissions.models import Click
from commissions.views import redirect as redirect_view
from tests.commissions.links_support import CHROME, promotable_enrollment
from tests.factories import AffiliateLinkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clicks_written_directly(settings):
    settings.CLICK_BUFFER_URL = ""  # the Redis stream has its own tests


@pytest.fixture
def link():
    return AffiliateLinkFactory(
        code="AbCdEf1234", enrollment__product__storefront_url="https://shop.example.com/item/7"
    )


def visit(client, code, **headers):
    return client.get(f"/l/{code}", headers={"User-Agent": CHROME, **headers})


def test_it_redirects_to_the_storefront_with_the_click_id(client, link):
    response = visit(client, link.code)

    assert response.status_code == 302
    click = Click.objects.get()
    assert response["Location"] == f"https://shop.example.com/item/7?click_id={click.click_id}"
    assert click.link == link
    assert len(click.click_id) >= 22 and len(click.click_id) <= 32
    assert "no-cache" in response["Cache-Control"]


def test_it_keeps_the_destinations_own_query_string_and_fragment(client):
    link = AffiliateLinkFactory(
        enrollment__product__storefront_url="https://shop.example.com/p?id=7&utm_source=x#reviews"
    )

    location = urlsplit(visit(client, link.code)["Location"])

    click = Click.objects.get()
    assert location.query == f"id=7&utm_source=x&click_id={click.click_id}"
    assert location.fragment == "reviews"
    assert parse_qs(location.query)["click_id"] == [click.click_id]


def test_every_visit_gets_its_own_click_id(client, link):
    ids = {urlsplit(visit(client, link.code)["Location"]).query for _ in range(5)}

    assert len(ids) == 5
    assert Click.objects.count() == 5


def test_unknown_codes_get_a_friendly_404(client, link, django_assert_max_num_queries):
    for code in ("NoSuchCode", "AbCdEf123", "abcdef1234", "bad-code!", "x" * 40):
        with django_assert_max_num_queries(1):
            response = visit(client, code)
        assert response.status_code == 404
        assert "This link does not work any more" in response.content.decode()
    assert not Click.objects.exists()


def test_an_expired_link_gets_the_404_and_records_nothing(client):
    link = AffiliateLinkFactory(expires_at=timezone.now() - timedelta(seconds=1))

    response = visit(client, link.code)

    assert response.status_code == 404
    assert not Click.objects.exists()


def test_a_cached_link_stops_working_when_it_expires(client, link):
    assert visit(client, link.code).status_code == 302  # cached with its expiry

    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert visit(client, link.code).status_code == 404


def test_the_code_lookup_is_cached(client, link, monkeypatch, django_assert_num_queries):
    visit(client, link.code)
    # The click write is the only database work left; take it out to count the rest.
    monkeypatch.setattr(redirect_view, "store_clicks", lambda **kwargs: 1)

    with django_assert_num_queries(0):
        assert visit(client, link.code).status_code == 302


def test_renewing_an_expired_link_takes_effect_at_once(
    api, buyer, django_capture_on_commit_callbacks
):
    enrollment = promotable_enrollment(buyer.organisation)
    link = AffiliateLinkFactory(
        buyer=buyer.organisation, enrollment=enrollment, expires_at=timezone.now()
    )
    assert visit(api, link.code).status_code == 404  # now cached as expired

    with django_capture_on_commit_callbacks(execute=True):
        api.as_member(buyer).post("/api/v1/links/", {"enrollment": enrollment.pk}, format="json")

    assert api.get(f"/l/{link.code}").status_code == 302


def test_a_failing_click_write_still_redirects(client, link, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database is on fire")

    monkeypatch.setattr(redirect_view, "store_clicks", broken)

    response = visit(client, link.code)

    assert response.status_code == 302
    assert "click_id=" in response["Location"]
    assert "could not record click" in caplog.text


def test_a_head_request_redirects_without_counting_a_visit(client, link):
    response = client.head(f"/l/{link.code}")

    assert response.status_code == 302
    assert not Click.objects.exists()


def test_a_post_is_not_allowed(client, link):
    assert client.post(f"/l/{link.code}").status_code == 405


def test_cache_keys_do_not_leak_between_codes(client, link):
    visit(client, "Missing123")

    assert cache.get("link-code:Missing123")[0] == "-"
    assert visit(client, link.code).status_code == 302


def test_a_destination_that_is_not_a_web_page_is_never_followed(client):
    link = AffiliateLinkFactory(enrollment__product__storefront_url="javascript:alert(1)")

    assert visit(client, link.code).status_code == 404
