"""GET /api/v1/dashboard/: the caller's organisation's figures, equal to the other endpoints'."""

from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from tests.commissions.dashboards_support import (
    EXPECTED,
    NOW,
    RANGE,
    at,
    build_marketplace,
    clicks,
)
from tests.factories import AffiliateLinkFactory, attributed_line, commission_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/dashboard/"
FIGURES = ("clicks", "orders", "gmv", "conversion_rate", "estimated", "settled")


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


def test_it_answers_the_buyer_with_the_whole_dashboard(api, buyer, market):
    body = api.as_member(buyer).get(URL, RANGE).json()
    days = {day["date"]: day for day in body.pop("daily")}

    assert body == {
        "start": "2026-11-01", "end": "2026-11-20", **EXPECTED["buyer"], "orders_by_link_code": 0,
        "top": {
            "products": [
                {"id": market.products["P2"].pk, "sku": "P2", "title": "Linen dress",
                 "gmv": "150.00", "orders": 1},
                {"id": market.products["P1"].pk, "sku": "P1", "title": "Silk scarf",
                 "gmv": "139.80", "orders": 2},
            ],
            "campaigns": [
                {"id": market.campaigns["C1"].pk, "name": "Autumn silk", "gmv": "289.80",
                 "orders": 3},
            ],
        },
    }  # fmt: skip
    assert len(days) == 20
    assert days["2026-11-01"] == {
        "date": "2026-11-01", "gmv": "0.00", "orders": 0,
        "commission": {"estimated": "0.00", "settled": "0.00"},
    }  # fmt: skip
    assert days["2026-11-11"]["gmv"] == "139.80"
    assert days["2026-11-11"]["commission"] == {"estimated": "25.16", "settled": "0.00"}
    assert days["2026-11-12"]["commission"] == {"estimated": "0.00", "settled": "45.00"}


@pytest.mark.parametrize("role", ["buyer", "provider", "merchant"])
def test_each_role_gets_its_own_organisations_figures(api, members, market, role):
    body = api.as_member(members[role]).get(URL, RANGE).json()

    assert {key: body[key] for key in FIGURES} == EXPECTED[role]
    assert (
        set(body["top"])
        == {
            "buyer": {"products", "campaigns"},
            "provider": {"buyers", "campaigns"},
            "merchant": {"products", "buyers"},
        }[role]
    )


@pytest.mark.parametrize("role", ["buyer", "provider", "merchant"])
def test_the_daily_series_adds_up_to_the_totals(api, members, market, role):
    body = api.as_member(members[role]).get(URL, RANGE).json()

    def total(key):
        return sum(Decimal(day[key]) for day in body["daily"])

    assert total("gmv") == Decimal(body["gmv"])
    assert sum(day["orders"] for day in body["daily"]) == body["orders"]
    assert sum(Decimal(d["commission"]["estimated"]) for d in body["daily"]) == Decimal(
        body["estimated"]
    )
    assert sum(Decimal(d["commission"]["settled"]) for d in body["daily"]) == Decimal(
        body["settled"]
    )


def test_the_buyers_figures_equal_its_link_stats(api, buyer, market):
    client = api.as_member(buyer)

    stats = client.get("/api/v1/stats/", RANGE).json()
    dashboard = client.get(URL, RANGE).json()

    for key in ("clicks", "orders", "gmv", "conversion_rate"):
        assert dashboard[key] == stats[key]


@pytest.mark.parametrize("role", ["buyer", "provider", "merchant"])
def test_commission_equals_the_commission_lists_rows(api, members, market, role):
    """The caller's share of the rows GET /api/v1/commissions/ lists for the same days."""
    client = api.as_member(members[role])
    organisation = members[role].organisation
    rows = client.get("/api/v1/commissions/", {**RANGE, "page_size": 500}).json()["results"]

    def share(row, figures):
        if role == "buyer":
            return Decimal(figures["buyer_net"])
        if role == "merchant":
            return Decimal(figures["merchant_pays"])
        mine = "provider_net" if row["provider"] == organisation.pk else "upstream_net"
        return Decimal(figures[mine])

    estimated = sum(share(r, r) for r in rows if r["status"] in ("estimated", "settleable"))
    settled = sum(share(r, r["settled"]) for r in rows if r["status"] == "settled")
    body = client.get(URL, RANGE).json()

    assert (body["estimated"], body["settled"]) == (f"{estimated:.2f}", f"{settled:.2f}")


@pytest.mark.parametrize(
    "query, start, end",
    [
        ({}, "2026-10-22", "2026-11-20"),
        ({"range": "7"}, "2026-11-14", "2026-11-20"),
        ({"range": "30"}, "2026-10-22", "2026-11-20"),
        ({"range": "90"}, "2026-08-23", "2026-11-20"),
        ({"from": "2025-11-20", "to": "2026-11-20"}, "2025-11-20", "2026-11-20"),
        ({"from": "", "to": ""}, "2026-10-22", "2026-11-20"),
    ],
)
def test_a_range_is_days_back_from_today_or_from_to(api, buyer, query, start, end):
    body = api.as_member(buyer).get(URL, query).json()

    assert (body["start"], body["end"]) == (start, end)
    assert (body["daily"][0]["date"], body["daily"][-1]["date"]) == (start, end)


def test_the_90_days_take_in_the_older_sale(api, buyer, market):
    body = api.as_member(buyer).get(URL, {"range": "90"}).json()

    # 80.00 on 5 October on top of November's figures: the buyer nets 14.40 more.
    assert (body["gmv"], body["orders"], body["estimated"]) == ("369.80", 4, "39.56")


@pytest.mark.parametrize(
    "query, errors",
    [
        ({"range": "14"}, {"range": ["Choose 7, 30 or 90 days."]}),
        ({"range": "week"}, {"range": ["Choose 7, 30 or 90 days."]}),
        ({"range": "7", "from": "2026-11-01"},
         {"range": ["Choose a number of days or dates, not both."]}),
        ({"from": "2026-11-02", "to": "2026-11-01"}, {"from": ["The range starts after it ends."]}),
        ({"from": "2025-11-19", "to": "2026-11-20"}, {"from": ["Ask for at most 366 days."]}),
        ({"from": "2026-13-01"},
         {"from": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
    ],
)  # fmt: skip
def test_a_bad_range_is_a_400_naming_the_parameter(api, buyer, query, errors):
    response = api.as_member(buyer).get(URL, query)

    assert response.status_code == 400
    assert response.json() == errors


def test_an_operator_or_a_stranger_cannot_use_it(api, operator):
    assert api.get(URL).status_code in (401, 403)
    assert api.as_member(operator).get(URL).status_code == 403


def test_a_pending_provider_reads_its_empty_dashboard_and_cannot_post(api, pending_provider):
    client = api.as_member(pending_provider)

    body = client.get(URL, RANGE).json()

    assert (body["gmv"], body["orders"], body["estimated"], body["settled"]) == (
        "0.00", 0, "0.00", "0.00",
    )  # fmt: skip
    assert client.post(URL, {}).status_code == 405  # nothing to write here


def test_another_organisation_of_the_same_role_sees_none_of_it(api, market, member_factory):
    for role in (Role.BUYER, Role.PROVIDER, Role.MERCHANT):
        body = api.as_member(member_factory(role)).get(URL, RANGE).json()

        assert (body["gmv"], body["clicks"], body["estimated"], body["settled"]) == (
            "0.00", 0, "0.00", "0.00",
        )  # fmt: skip
        assert all(rows == [] for rows in body["top"].values())


def grow(market, n: int) -> None:
    """More links, clicks and sales for every party: the number of queries must not change."""
    for k in range(n):
        link = AffiliateLinkFactory(
            buyer=market.buyer, enrollment__campaign__provider=market.provider,
            enrollment__product__merchant=market.merchant, enrollment__status="approved",
        )  # fmt: skip
        clicks(link, at(11, 3 + k % 15), counted=2, bots=1)
        commission_for(attributed_line(link, amount="10.00", paid_at=at(11, 3 + k % 15)))


@pytest.mark.parametrize("role", ["buyer", "provider", "merchant"])
def test_it_takes_a_constant_number_of_queries(
    api, members, market, role, django_assert_max_num_queries
):
    client = api.as_member(members[role])
    client.get(URL, RANGE)  # warm the token and content-type caches
    with CaptureQueriesContext(connection) as small:
        client.get(URL, RANGE)
    grow(market, 12)

    with django_assert_max_num_queries(12):
        body = client.get(URL, RANGE).json()

    assert body["orders"] == EXPECTED[role]["orders"] + 12
    with CaptureQueriesContext(connection) as large:
        client.get(URL, RANGE)
    assert len(large) == len(small)
