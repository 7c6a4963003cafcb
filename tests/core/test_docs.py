import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
LOCAL_ASSET = re.compile(r"""(?:src|href)\s*=\s*["'](/static/[^"']+)["']""")


def test_the_schema_describes_the_contract(client: Client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/v1/auth/register/", "/api/v1/auth/token/", "/api/v1/me/"]:
        assert path in paths
    assert "post" in paths["/api/v1/providers/{id}/approve/"]


def test_the_docs_page_loads_every_asset_from_the_project(client: Client):
    response = client.get("/api/docs/")
    page = response.content.decode()

    assert response.status_code == 200
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assets = LOCAL_ASSET.findall(page)
    assert any("swagger-ui-bundle" in a for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not served by us"


def test_portal_pages_load_nothing_from_elsewhere(client: Client, merchant):
    client.force_login(merchant)
    for url in ["/", "/organisation/", "/accounts/login/", "/no-such-page/"]:
        page = client.get(url).content.decode()
        assert not EXTERNAL.search(page), f"{url}: {EXTERNAL.search(page)}"
        for asset in LOCAL_ASSET.findall(page):
            assert finders.find(asset.removeprefix("/static/")), asset


def test_htmx_is_vendored():
    path = finders.find("vendor/htmx.min.js")

    assert path
    with open(path, encoding="utf-8") as handle:
        assert "htmx" in handle.read(200)
