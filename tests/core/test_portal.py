import pytest
from django.test import Client, override_settings
from django.urls import path

from core import views as core_views

pytestmark = pytest.mark.django_db


def test_the_language_switcher_turns_the_portal_chinese(client: Client, buyer):
    client.force_login(buyer)

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get(response["Location"]).content.decode()

    assert '<html lang="zh-hans">' in page
    assert "买手" in page


def test_english_is_the_default(client: Client, buyer):
    client.force_login(buyer)

    assert "Buyer home" in client.get("/").content.decode()


def test_unknown_pages_get_a_friendly_404(client: Client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def boom(request):
    raise RuntimeError("the database fell over")


urlpatterns = [path("boom/", boom), *__import__("config.urls").urls.urlpatterns]
handler500 = core_views.server_error


@override_settings(ROOT_URLCONF=__name__)
def test_server_errors_get_a_friendly_500():
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "the database fell over" not in body


def test_health_answers_ok(client: Client):
    assert client.get("/health/").json() == {"status": "ok"}


@pytest.mark.parametrize("role", ["merchant", "buyer", "provider", "operator"])
def test_every_page_in_the_navigation_opens(client: Client, member_factory, operator, role):
    from portal.navigation import entries_for

    user = operator if role == "operator" else member_factory(role)
    client.force_login(user)

    for entry in entries_for(role, "/"):
        status = client.get(entry["url"]).status_code
        assert status == 200, f"{role}: {entry['url']} answered {status}"


def test_a_pending_provider_can_open_every_page_but_not_write(client: Client, pending_provider):
    from portal.navigation import entries_for

    client.force_login(pending_provider)

    for entry in entries_for("provider", "/"):
        assert client.get(entry["url"]).status_code == 200, entry["url"]
    assert client.post("/campaigns/new/", {"name": "x"}).status_code == 403
