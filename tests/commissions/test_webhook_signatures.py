"""The webhook's X-Signature: only the storefront's signed, fresh requests get in; a refused
one stores nothing."""

import json
import time

import pytest
from rest_framework.test import APIClient

from commissions.models import Order, OrderEvent, OrderLine
from commissions.services.webhooks import sign
from tests.commissions.orders_support import event, line, post_signed

pytestmark = pytest.mark.django_db

BODY = event("evt-1", "paid", "SO-1", [line("DRESS-1")])


def nothing_stored() -> bool:
    return not (Order.objects.exists() or OrderEvent.objects.exists() or OrderLine.objects.exists())


def test_it_accepts_a_good_signature_without_any_login():
    response = post_signed(APIClient(), BODY)

    assert response.status_code == 201
    order = Order.objects.get()
    assert response.json() == {
        "order": order.pk,
        "external_id": "SO-1",
        "status": "paid",
        "duplicate": False,
    }
    assert OrderEvent.objects.get().event_id == "evt-1"


def test_it_needs_no_csrf_token_even_for_a_signed_in_browser(merchant):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(merchant)

    assert post_signed(client, BODY).status_code == 201


def test_it_refuses_a_digest_that_is_not_hex(api):
    stamp = int(time.time())
    response = post_signed(api, BODY, header=f"t={stamp},v1={'z' * 64}")

    assert response.status_code == 400
    assert response.json() == {"signature": ["The X-Signature header has a malformed v1."]}
    assert nothing_stored()


def test_it_refuses_a_wrong_digest(api):
    stamp = int(time.time())
    response = post_signed(api, BODY, header=f"t={stamp},v1={'ab' * 32}")

    assert response.status_code == 400
    assert response.json() == {"signature": ["The signature does not match the request body."]}
    assert nothing_stored()


def test_it_refuses_a_body_signed_with_another_secret(api):
    response = post_signed(api, BODY, secret="not-the-storefront-secret")

    assert response.status_code == 400
    assert response.json() == {"signature": ["The signature does not match the request body."]}
    assert nothing_stored()


def test_it_refuses_a_body_changed_after_signing(api):
    raw = json.dumps(BODY).encode()
    stamp = int(time.time())
    header = f"t={stamp},v1={sign(body=raw, timestamp=stamp, secret='dev-order-webhook-secret')}"
    tampered = raw.replace(b"100.00", b"1.00")

    response = post_signed(api, tampered, header=header)

    assert response.status_code == 400
    assert nothing_stored()


@pytest.mark.parametrize("offset", [-301, 301, -3600, 86_400])
def test_it_refuses_a_timestamp_more_than_300_seconds_off_either_way(api, offset):
    response = post_signed(api, BODY, t=int(time.time()) + offset)

    assert response.status_code == 400
    assert response.json() == {
        "signature": ["The signature's timestamp is more than 300 seconds from now."]
    }
    assert nothing_stored()


@pytest.mark.parametrize("offset", [-290, 290])
def test_it_accepts_a_timestamp_within_300_seconds(api, offset):
    assert post_signed(api, BODY, t=int(time.time()) + offset).status_code == 201


def test_it_refuses_a_request_without_the_header(api):
    response = post_signed(api, BODY, header="")

    assert response.status_code == 400
    assert response.json() == {"signature": ["The X-Signature header is missing."]}
    assert nothing_stored()


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        "t=1700000000",
        "v1=" + "ab" * 32,
        "t=yesterday,v1=" + "ab" * 32,
        "t=1700000000;v1=" + "ab" * 32,
        "t=1700000000,v1=abc",
    ],
)
def test_it_refuses_a_malformed_header(api, header):
    response = post_signed(api, BODY, header=header)

    assert response.status_code == 400
    assert list(response.json()) == ["signature"]
    assert nothing_stored()


def test_it_accepts_one_matching_digest_among_several_while_secrets_rotate(api):
    raw = json.dumps(BODY).encode()
    stamp = int(time.time())
    good = sign(body=raw, timestamp=stamp, secret="dev-order-webhook-secret")

    response = post_signed(api, raw, header=f"t={stamp},v1={'ab' * 32},v1={good}")

    assert response.status_code == 201


def test_it_checks_the_signature_before_the_body(api):
    response = post_signed(api, b"{not json", header="t=1,v1=" + "ab" * 32)

    assert response.status_code == 400
    assert list(response.json()) == ["signature"]
