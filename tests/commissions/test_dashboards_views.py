"""The portal's Dashboard page per role, its htmx body, and the home pages' 30-day block."""

import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.commissions.dashboards_support import NOW, RANGE, build_marketplace

pytestmark = pytest.mark.django_db
URL = "/dashboard/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def market(merchant, provider, buyer):
    return build_marketplace(
        merchant=merchant.organisation, provider=provider.organisation, buyer=buyer.organisation
    )


@pytest.fixture
def members(merchant, provider, buyer):
    return {"buyer": buyer, "provider": provider, "merchant": merchant}


def figure(page: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]*)<', page).group(1)


def chart_blob(page: str) -> dict:
    found = re.search(r'<script id="dashboard-chart-data" type="application/json">(.*?)</script>',
                      page, re.S)  # fmt: skip
    return json.loads(found.group(1))


@pytest.mark.parametrize(
    "role, shown",
    [
        ("buyer", {"gmv": "¥289.80", "orders": "3", "clicks": "4", "conversion": "75.00 %",
                   "estimated": "¥25.16", "settled": "¥45.00"}),
        ("provider", {"gmv": "¥439.80", "orders": "5", "clicks": "7", "conversion": "71.43 %",
                      "estimated": "¥22.48", "settled": "¥21.60"}),
        ("merchant", {"gmv": "¥479.80", "orders": "6", "clicks": "8", "conversion": "75.00 %",
                      "estimated": "¥98.94", "settled": "¥74.00"}),
    ],
)  # fmt: skip
def test_each_role_sees_its_figures_with_estimated_and_settled_apart(
    client, members, market, role, shown
):
    client.force_login(members[role])

    page = client.get(URL, RANGE).content.decode()

    assert {name: figure(page, name) for name in shown} == shown
    assert ">Estimated<" in page and ">Settled<" in page
    assert {"buyer": "Your commission", "provider": "Your service fee",
            "merchant": "What you pay"}[role] in page  # fmt: skip


def test_the_chart_data_is_embedded_as_json_and_matches_the_daily_table(client, buyer, market):
    client.force_login(buyer)

    page = client.get(URL, RANGE).content.decode()
    chart = chart_blob(page)

    assert chart["dates"][0] == "2026-11-01" and len(chart["dates"]) == 20
    assert chart["gmv"][10] == "139.80" and chart["orders"][10] == 2
    assert chart["estimated"][10] == "25.16" and chart["settled"][11] == "45.00"
    assert chart["labels"]["gmv"] == "GMV"
    assert 'data-chart-source="dashboard-chart-data"' in page
    assert '<th scope="row">2026-11-11</th><td class="number">139.80</td>' in page


def test_the_page_loads_nothing_from_outside_and_no_inline_handlers_of_its_own(client, buyer):
    client.force_login(buyer)

    page = client.get(URL).content.decode()

    assert "/static/vendor/chart.umd.min.js" in page
    assert "/static/js/dashboard-chart.js" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    body = page[page.index('id="dashboard-body"') :]
    assert not re.search(r"\son[a-z]+=", body)


def test_the_top_lists_are_tables(client, merchant, market):
    client.force_login(merchant)

    page = client.get(URL, RANGE).content.decode()

    assert "Top products" in page and "Top buyers" in page
    products = page[page.index('data-top="products"') : page.index('data-top="buyers"')]
    assert products.index("Silk scarf") < products.index("Linen dress")
    assert '<td class="number">289.80</td>' in products


def test_range_buttons_and_the_custom_form_swap_the_body_with_htmx(client, buyer, market):
    client.force_login(buyer)

    page = client.get(URL, {"range": "7"}).content.decode()
    partial = client.get(URL, {"range": "90"}, **HTMX)
    body = partial.content.decode()

    for days in (7, 30, 90):
        assert f'hx-get="/dashboard/?range={days}"' in page
    assert 'hx-target="#dashboard-body"' in page and 'name="from"' in page
    assert re.search(r'<a class="button" href="/dashboard/\?range=7"[^>]*aria-current="true"', page)
    assert '<a class="button secondary" href="/dashboard/?range=30"' in page
    assert "<html" not in body and "dashboard-chart-data" in body
    assert figure(body, "gmv") == "¥369.80"  # October's 80.00 is within 90 days
    assert partial["Vary"].count("HX-Request") == 1


def test_a_bad_custom_range_is_explained_in_the_form(client, buyer):
    client.force_login(buyer)

    body = client.get(URL, {"from": "2026-11-02", "to": "2026-11-01"}, **HTMX).content.decode()

    assert "The range starts after it ends." in body
    assert "dashboard-chart-data" not in body


def test_the_page_renders_in_chinese(client, buyer, market):
    client.force_login(buyer)
    client.cookies["django_language"] = "zh-hans"

    response = client.get(URL, RANGE)

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    assert figure(response.content.decode(), "gmv") == "¥289.80"


def test_dashboard_is_in_the_navigation_right_after_home(client, members):
    for user in members.values():
        client.force_login(user)
        page = client.get("/").content.decode()
        nav = page[page.index('<nav class="nav"') : page.index("</nav>")]

        labels = re.findall(r"<a [^>]*>([^<]+)</a>", nav)

        assert labels[:2] == ["Home", "Dashboard"]


def test_the_home_page_loads_the_last_30_days(client, members, market):
    for user in members.values():
        client.force_login(user)
        home = client.get("/").content.decode()
        summary = client.get("/dashboard/summary/", **HTMX).content.decode()

        assert 'hx-get="/dashboard/summary/" hx-trigger="load"' in home
        assert 'href="/dashboard/"' in home
        assert "Last 30 days" in summary and 'href="/dashboard/"' in summary
    # the merchant is the last one: its 30 days are November's figures
    assert figure(summary, "gmv") == "¥479.80"
    assert figure(summary, "estimated") == "¥98.94" and figure(summary, "settled") == "¥74.00"


def test_an_operator_cannot_open_the_dashboard(client, operator):
    client.force_login(operator)

    assert client.get(URL).status_code == 403
    assert client.get("/dashboard/summary/").status_code == 403


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["buyer", "provider", "merchant"])
def test_the_page_takes_a_constant_number_of_queries(
    client, members, market, role, django_assert_max_num_queries
):
    from tests.commissions.test_dashboards_api import grow

    client.force_login(members[role])
    client.get(URL, RANGE)
    with CaptureQueriesContext(connection) as small:
        client.get(URL, RANGE)
    grow(market, 12)

    with django_assert_max_num_queries(15):
        client.get(URL, RANGE)
    with CaptureQueriesContext(connection) as large:
        client.get(URL, RANGE)
    assert len(large) == len(small)
