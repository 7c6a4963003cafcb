"""Dates out of range are the caller's 400 naming the field, in the API and the portal alike
(issue 14): year 1 or 9999 used to overflow (the day after ``to``, a window subtracted from a
payment, the month after a statement's month, a livestream's list) and answer 500. The bound is
core.dates'."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from commissions.models import Order, OrderEvent
from influencers.models import Livestream
from matchmaking.models import Campaign
from tests.commissions.orders_support import (
    IMPORT_URL,
    click_on,
    event,
    line,
    order_csv,
    order_row,
    post_signed,
    promoted_link,
)
from tests.conftest import MemberClient
from tests.factories import AffiliateLinkFactory

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Enter a date between 2000-01-01 and 2100-12-31."
BAD_MONTH = "Give the month as YYYY-MM, for example 2026-10."


@pytest.fixture
def callers(merchant, buyer, provider, operator):
    return {"merchant": merchant, "buyer": buyer, "provider": provider, "operator": operator}


@pytest.fixture
def objects(buyer):
    link = AffiliateLinkFactory(buyer=buyer.organisation)
    livestream = Livestream.objects.create(
        buyer=buyer.organisation, title="Friday", scheduled_at=timezone.now() + timedelta(days=1)
    )
    return {"link": link.pk, "livestream": livestream.pk}


def quiet_api(user) -> MemberClient:
    """A server error shows as the 500 it would be, not as the test's exception."""
    api = MemberClient().as_member(user)
    api.raise_request_exception = False
    return api


QUERIES = [
    ("/api/v1/dashboard/", "merchant", {"to": "9999-12-31"}, "to"),
    ("/api/v1/dashboard/", "buyer", {"to": "0001-01-01"}, "to"),
    ("/api/v1/dashboard/", "provider", {"from": "0001-01-01", "to": "2026-01-01"}, "from"),
    ("/api/v1/stats/", "buyer", {"to": "9999-12-31"}, "to"),
    ("/api/v1/stats/", "buyer", {"to": "0001-01-01"}, "to"),
    ("/api/v1/links/{link}/stats/", "buyer", {"to": "9999-12-31"}, "to"),
    ("/api/v1/livestreams/{livestream}/stats/", "buyer", {"to": "9999-12-31"}, "to"),
    ("/api/v1/orders/", "merchant", {"paid_to": "9999-12-31"}, "paid_to"),
    ("/api/v1/orders/", "buyer", {"paid_from": "0001-01-01"}, "paid_from"),
    ("/api/v1/commissions/", "provider", {"to": "9999-12-31"}, "to"),
]


@pytest.mark.parametrize(
    ("url", "role", "query", "name"), QUERIES, ids=[f"{q[0]}-{q[3]}" for q in QUERIES]
)
def test_a_date_out_of_range_in_a_query_is_a_400_naming_the_parameter(
    callers, objects, url, role, query, name
):
    response = quiet_api(callers[role]).get(url.format(**objects), query)

    assert response.status_code == 400, response.content[:300]
    assert response.json() == {name: [OUT_OF_RANGE]}


def test_the_range_ends_are_accepted(callers):
    response = quiet_api(callers["buyer"]).get(
        "/api/v1/stats/", {"from": "2100-12-01", "to": "2100-12-31"}
    )
    earliest = quiet_api(callers["merchant"]).get("/api/v1/orders/", {"paid_from": "2000-01-01"})

    assert response.status_code == 200
    assert (response.json()["start"], response.json()["end"]) == ("2100-12-01", "2100-12-31")
    assert earliest.status_code == 200


@pytest.mark.parametrize("month", ["9999-12", "2101-01", "0001-01"])
def test_a_statement_month_out_of_range_is_a_400_on_month(callers, month):
    response = quiet_api(callers["buyer"]).get("/api/v1/statements/", {"month": month})

    assert response.status_code == 400
    assert response.json() == {"month": [BAD_MONTH]}


@pytest.mark.parametrize("as_of", ["0001-01-01", "1999-12-31"])
def test_a_settlement_run_as_of_out_of_range_is_a_400_on_as_of(callers, as_of):
    response = quiet_api(callers["operator"]).post(
        "/api/v1/settlements/run/", {"as_of": as_of}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"as_of": [OUT_OF_RANGE]}


# -- the portal --------------------------------------------------------------------------


def portal(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


PAGES = [
    ("/dashboard/", "merchant", {"to": "9999-12-31"}),
    ("/dashboard/", "buyer", {"from": "0001-01-01", "to": "0001-01-02"}),
    ("/orders/", "merchant", {"paid_to": "9999-12-31"}),
    ("/orders/", "provider", {"paid_from": "0001-01-01"}),
    ("/commissions/", "buyer", {"to": "9999-12-31"}),
]


@pytest.mark.parametrize(("url", "role", "query"), PAGES, ids=[f"{p[0]}{p[2]}" for p in PAGES])
def test_a_portal_page_shows_the_message_for_a_date_out_of_range(callers, url, role, query):
    response = portal(callers[role]).get(url, query)

    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()


def test_the_statement_page_shows_the_message_and_last_month_for_a_month_out_of_range(callers):
    response = portal(callers["buyer"]).get("/statements/", {"month": "9999-12"})

    assert response.status_code == 200
    assert BAD_MONTH in response.content.decode()


def test_the_settlement_form_refuses_a_date_out_of_range(callers):
    response = portal(callers["operator"]).post("/operator/settlements/", {"as_of": "0001-01-01"})

    assert response.status_code == 400
    assert OUT_OF_RANGE in response.content.decode()


# -- order CSV rows and webhook events, with a click to attribute them through --------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("paid_at", "0001-01-01 00:00:00"),
        ("paid_at", "9999-12-31 23:59:59"),
        ("confirmed_at", "9999-12-31T23:59:59+00:00"),
    ],
)
def test_an_order_row_with_a_time_out_of_range_is_refused_on_its_cell(merchant, column, value):
    link = promoted_link(sku="DRESS-1", enrollment__product__merchant=merchant.organisation)
    click_on(link, at=timezone.now() - timedelta(hours=1), click_id="c-1")
    row = order_row(status="confirmed", click_id="c-1", confirmed_at="2026-03-05 10:00:00")
    row[column] = value

    response = quiet_api(merchant).post(
        IMPORT_URL, data=order_csv([row]).encode(), content_type="text/csv"
    )

    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"] == [{"line": 2, "field": column, "message": OUT_OF_RANGE}]
    assert not Order.objects.exists()


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59Z"])
def test_a_webhook_event_at_a_time_out_of_range_is_a_400_on_occurred_at(api, occurred_at):
    link = promoted_link(sku="DRESS-1")
    click_on(link, at=timezone.now() - timedelta(hours=1), click_id="c-1")
    body = event(
        "evt-1", "paid", "SO-1", [line("DRESS-1")], click_id="c-1", occurred_at=occurred_at
    )
    api.raise_request_exception = False

    response = post_signed(api, body)

    assert response.status_code == 400, response.content[:300]
    assert response.json() == {"order": {"occurred_at": [OUT_OF_RANGE]}}
    assert not OrderEvent.objects.exists()


# -- campaigns and livestreams: dates that are stored, then computed with -------------------

CAMPAIGN = {
    "name": "Far future",
    "categories": ["womens-clothing"],
    "registration_start": "9999-12-01",
    "registration_end": "9999-12-10",
    "promotion_start": "9999-12-11",
    "promotion_end": "9999-12-31",
    "min_commission_rate": "0.2000",
    "service_fee_rate": "0.1000",
}
CAMPAIGN_DATES = ("registration_start", "registration_end", "promotion_start", "promotion_end")


def test_a_campaign_in_year_9999_is_a_400_on_each_date(callers):
    response = quiet_api(callers["provider"]).post("/api/v1/campaigns/", CAMPAIGN, format="json")

    assert response.status_code == 400, response.content[:300]
    assert response.json() == {name: [OUT_OF_RANGE] for name in CAMPAIGN_DATES}
    assert not Campaign.objects.exists()


def test_the_campaign_form_refuses_dates_out_of_range(callers):
    form = {**CAMPAIGN, "categories": [], "min_commission_rate": "20", "service_fee_rate": "10",
            "settlement_delay_days": "15", "attribution_window_days": "7"}  # fmt: skip

    response = portal(callers["provider"]).post("/campaigns/new/", form)

    assert response.status_code == 200
    assert response.content.decode().count(OUT_OF_RANGE) == len(CAMPAIGN_DATES)
    assert not Campaign.objects.exists()


def test_the_livestream_form_refuses_a_start_in_year_9999(callers):
    client = portal(callers["buyer"])

    response = client.post("/livestreams/", {"title": "Far", "scheduled_at": "9999-12-31T23:00"})

    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()
    assert not Livestream.objects.exists()
    assert client.get("/livestreams/").status_code == 200


def test_copying_a_lineup_to_year_9999_is_a_400_on_scheduled_at(callers, objects):
    url = f"/api/v1/livestreams/{objects['livestream']}/copy/"

    response = quiet_api(callers["buyer"]).post(
        url, {"scheduled_at": "9999-12-31T23:59:59+08:00"}, format="json"
    )

    assert response.status_code == 400, response.content[:300]
    assert response.json() == {"scheduled_at": [OUT_OF_RANGE]}
    assert Livestream.objects.count() == 1
