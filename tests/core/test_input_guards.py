"""Hostile input answered 400, not 500 (issue 14): JSON nested 50,000 deep on every JSON
endpoint, NUL characters anywhere PostgreSQL would refuse them (core/middleware.py,
core/json_bodies.py), and the range of dates of core/dates.py."""

import json
import time
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework import serializers

from commissions.api.webhooks import parse_body
from commissions.services.webhooks import signature_header
from core import dates, json_bodies
from core.errors import DomainError
from merchants.models import Product
from tests.commissions.orders_support import WEBHOOK_URL, post_signed
from tests.conftest import MemberClient
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

DEEP = "[" * 50_000
NUL_MESSAGE = "Null characters are not allowed."
TOO_DEEP = "JSON parse error - The JSON nests deeper than 32 levels."


def quiet(client):
    """A server error shows as the 500 it would be, not as the test's exception."""
    client.raise_request_exception = False
    return client


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# -- JSON nested too deeply ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/auth/register/", "/api/v1/auth/token/", "/api/v1/webhooks/orders/"]
)
def test_an_anonymous_json_endpoint_refuses_json_nested_50000_deep(url):
    response = quiet(MemberClient()).post(url, data=DEEP, content_type="application/json")

    assert response.status_code == 400, response.content[:300]
    assert response.json() == {"detail": TOO_DEEP}


@pytest.mark.parametrize("body", [DEEP, '{"a":' * 50_000, nested(33)])
def test_a_members_json_endpoint_refuses_json_nested_too_deeply(merchant, body):
    api = quiet(MemberClient().as_member(merchant))

    response = api.post("/api/v1/products/", data=body, content_type="application/json")

    assert response.status_code == 400, response.content[:300]
    assert response.json() == {"detail": TOO_DEEP}


def test_json_nested_32_deep_is_read_as_usual(merchant):
    api = quiet(MemberClient().as_member(merchant))

    response = api.post("/api/v1/products/", data=nested(32), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }


def test_a_signed_webhook_body_nested_too_deeply_is_refused_whatever_its_content_type():
    """The webhook reads its raw body itself (parse_body), whatever the declared type."""
    api = quiet(MemberClient())
    raw = DEEP.encode()

    response = post_signed(api, raw)
    signature = signature_header(
        body=raw, timestamp=int(time.time()), secret=settings.ORDER_WEBHOOK_SECRET
    )
    as_text = api.post(WEBHOOK_URL, data=raw, content_type="text/plain", HTTP_X_SIGNATURE=signature)

    assert response.status_code == 400
    assert as_text.status_code == 400, as_text.content[:300]
    assert as_text.json() == {"detail": "The JSON nests deeper than 32 levels."}


def test_parse_body_refuses_deep_nesting_as_a_domain_error():
    with pytest.raises(DomainError) as refused:
        parse_body(DEEP.encode())

    assert refused.value.message == "The JSON nests deeper than 32 levels."


def test_json_bodies_loads_bounds_the_depth_without_recursing():
    assert json_bodies.loads(nested(32)) == json.loads(nested(32))
    assert json_bodies.loads('{"a": [{"b": [1, 2]}], "c": "["}') == {"a": [{"b": [1, 2]}], "c": "["}
    for text in (nested(33), DEEP, '{"a":' * 50_000):
        with pytest.raises(json_bodies.TooDeeplyNested):
            json_bodies.loads(text)


# -- NUL characters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url", "name"),
    [
        ("provider", "/api/v1/buyers/?search=%00", "search"),
        ("buyer", "/api/v1/catalogue/?category=%00", "category"),
        ("merchant", "/api/v1/products/?status=a%00b", "status"),
        ("merchant", "/api/v1/orders/?search=%00", "search"),
    ],
)
def test_a_nul_in_an_api_query_parameter_is_a_400_naming_it(member_factory, role, url, name):
    api = quiet(MemberClient().as_member(member_factory(role)))

    response = api.get(url)

    assert response.status_code == 400, response.content[:300]
    assert response.json() == {name: [NUL_MESSAGE]}


@pytest.mark.parametrize(
    ("role", "url", "name"),
    [
        ("provider", "/roster/?q=%00", "q"),
        ("provider", "/assortments/?q=%00", "q"),
        ("buyer", "/samples/?status=%00", "status"),
        ("buyer", "/catalogue/?q=%00", "q"),
        ("merchant", "/products/?q=%00", "q"),
    ],
)
def test_a_nul_in_a_portal_query_parameter_is_a_400_page_naming_it(member_factory, role, url, name):
    client = quiet(Client())
    client.force_login(member_factory(role))

    response = client.get(url)

    assert response.status_code == 400
    assert f"{name}: {NUL_MESSAGE}" in response.content.decode()


def test_an_operator_page_with_a_nul_in_its_query_is_a_400(operator):
    client = quiet(Client())
    client.force_login(operator)

    response = client.get("/operator/providers/", {"status": "pending\x00"})

    assert response.status_code == 400
    assert f"status: {NUL_MESSAGE}" in response.content.decode()


def test_a_nul_in_a_parameters_name_is_refused_too(merchant):
    api = quiet(MemberClient().as_member(merchant))

    response = api.get("/api/v1/products/?sea%00rch=x")

    assert response.status_code == 400
    assert response.json() == {"sea\\0rch": [NUL_MESSAGE]}


def test_a_nul_in_the_address_is_a_400():
    client = quiet(Client())

    api = client.get("/api/v1/products/%00/")
    redirect = client.get("/l/%00")

    assert api.status_code == 400
    assert api.json() == {"detail": NUL_MESSAGE}
    assert redirect.status_code == 400


def test_a_nul_in_a_portal_form_post_is_a_400_and_changes_nothing(merchant):
    product = ProductFactory(merchant=merchant.organisation, title="Linen dress")
    client = quiet(Client())
    client.force_login(merchant)

    response = client.post(f"/products/{product.pk}/edit/", {"title": "Hijacked\x00"})

    assert response.status_code == 400
    assert f"title: {NUL_MESSAGE}" in response.content.decode()
    product.refresh_from_db()
    assert product.title == "Linen dress"


def test_a_nul_in_a_multipart_portal_post_is_a_400(merchant):
    client = quiet(Client())
    client.force_login(merchant)

    response = client.post("/products/new/", {"sku": "\x00"})

    assert response.status_code == 400
    assert not Product.objects.exists()


def test_a_nul_in_the_login_form_is_a_400():
    response = quiet(Client()).post("/accounts/login/", {"login": "a\x00", "password": "x"})

    assert response.status_code == 400


@pytest.mark.parametrize("form", [True, False])
def test_a_nul_in_an_api_body_is_a_400_naming_the_field(form):
    api = quiet(MemberClient())
    body = {"username": "a\x00", "password": "x"}

    response = api.post("/api/v1/auth/token/", body, format=None if form else "json")

    assert response.status_code == 400
    assert response.json() == {"username": [NUL_MESSAGE]}


def test_a_session_cookie_spelling_a_nul_is_ignored(merchant):
    """A quoted cookie may spell NUL as \\000: the session store's lookup would be a 500."""
    client = quiet(Client())

    page = client.get("/dashboard/", HTTP_COOKIE='sessionid="abcdefgh\\000xyz"')
    login = client.get("/accounts/login/", HTTP_COOKIE='sessionid="abcdefgh\\000xyz"')

    assert page.status_code == 302  # to the login page, as without a session
    assert page["Location"].startswith("/accounts/login/")
    assert login.status_code == 200


# -- the range of dates --------------------------------------------------------------------

MESSAGE = "Enter a date between 2000-01-01 and 2100-12-31."


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (date(2000, 1, 1), True),
        (date(2100, 12, 31), True),
        (date(1999, 12, 31), False),
        (date(2101, 1, 1), False),
        (date(1, 1, 1), False),
        (date(9999, 12, 31), False),
        (datetime(2100, 12, 31, 23, 59, 59), True),
        (datetime(9999, 12, 31, 23, 59, 59), False),
    ],
)
def test_core_dates_bounds(value, valid):
    assert dates.in_range(value) is valid


def test_the_drf_fields_refuse_a_date_out_of_range_with_the_message():
    class Query(serializers.Serializer):
        day = dates.DateField()
        moment = dates.DateTimeField()

    late = Query(data={"day": "9999-12-31", "moment": "9999-12-31T23:59:59-12:00"})
    early = Query(data={"day": "0001-01-01", "moment": "0001-01-01T00:00:00+14:00"})
    fine = Query(data={"day": "2026-03-01", "moment": "2026-03-01T10:00:00+08:00"})

    assert not late.is_valid() and late.errors == {"day": [MESSAGE], "moment": [MESSAGE]}
    assert not early.is_valid() and early.errors == {"day": [MESSAGE], "moment": [MESSAGE]}
    assert fine.is_valid(), fine.errors


def test_the_form_fields_and_filter_refuse_a_date_out_of_range():
    from django import forms

    class Form(forms.Form):
        day = dates.DateFormField()
        moment = dates.DateTimeFormField()

    late = Form(data={"day": "9999-12-31", "moment": "9999-12-31 23:59"})
    fine = Form(data={"day": "2026-03-01", "moment": "2026-03-01 10:00"})

    assert late.errors == {"day": [MESSAGE], "moment": [MESSAGE]}
    assert fine.is_valid()
    assert dates.DateFilter().field_class is dates.DateFormField


# -- ids that Python calls digits: "²".isdigit() is True, int("²") is a ValueError ------------

SUPERSCRIPT = "²"
TOO_LONG = "9" * 5000  # int() refuses more than 4,300 digits


@pytest.mark.parametrize("value", [SUPERSCRIPT, TOO_LONG])
@pytest.mark.parametrize(
    ("role", "method", "url", "name"),
    [
        ("provider", "get", "/recommendations/", "buyer"),
        ("merchant", "get", "/enrollments/new/", "campaign"),
        ("provider", "post", "/enrollments/review/bulk-approve/", "ids"),
        ("merchant", "post", "/samples/", "ids"),
        ("buyer", "post", "/links/create/", "enrollment"),
        ("operator", "post", "/operator/payouts/", "organisation"),
    ],
)
def test_a_portal_id_that_is_not_ascii_digits_is_ignored(
    member_factory, operator, role, method, url, name, value
):
    client = quiet(Client())
    client.force_login(operator if role == "operator" else member_factory(role))

    response = getattr(client, method)(url, {name: value})

    assert response.status_code < 500, f"{method.upper()} {url} {name}: {response.status_code}"


def test_a_lineup_reorder_with_an_id_that_is_not_ascii_digits_changes_nothing(buyer):
    from influencers.models import Livestream

    live = Livestream.objects.create(
        buyer=buyer.organisation, title="Friday", scheduled_at=timezone.now() + timedelta(days=3)
    )
    client = quiet(Client())
    client.force_login(buyer)

    response = client.post(f"/livestreams/{live.pk}/reorder/", {"slot": [SUPERSCRIPT]})

    assert response.status_code == 200


@pytest.mark.parametrize("value", [SUPERSCRIPT, TOO_LONG])
def test_an_api_id_that_is_not_ascii_digits_is_a_400_or_ignored(buyer, operator, value):
    catalogue = quiet(MemberClient().as_member(buyer)).get(
        "/api/v1/catalogue/", {"min_stock": value, "campaign": value}
    )
    payouts = quiet(MemberClient().as_member(operator)).get(
        "/api/v1/payouts/", {"organisation": value}
    )
    statement = quiet(MemberClient().as_member(operator)).get(
        "/api/v1/statements/", {"organisation": value}
    )

    assert catalogue.status_code == 400
    assert catalogue.json() == {"min_stock": ["Give a whole number."]}
    assert payouts.status_code == 200
    assert statement.status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/enrollment-rates/", "/api/v1/change-requests/"])
def test_an_enrollment_filter_past_the_id_range_is_a_400_on_it(merchant, url):
    """SQLite cannot even bind such a number: it was a 500 there."""
    api = quiet(MemberClient().as_member(merchant))

    response = api.get(url, {"enrollment": "99999999999999999999"})

    assert response.status_code == 400
    assert response.json() == {
        "enrollment": ["Ensure this value is less than or equal to 9223372036854775807."]
    }
