"""The marketplace driven through the proxy only, as people and a storefront would: sign-up of
the three roles, a product, a campaign, an enrollment, a roster, a link and its redirect, a
signed webhook order, and a settlement that a Celery worker performs; then every party's
figures. Each step checks what a user would see and fails saying what it got instead.
"""

import hashlib
import hmac
import http.client
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

from deploy.rehearsal.stack import RehearsalFailed, wait_until

PASSWORD = secrets.token_urlsafe(18)  # of the people who sign up
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1"
# What a shopper's client may claim: none of it may become the address we hash.
FORGED_ADDRESSES = ("203.0.113.7", "198.51.100.23, 192.0.2.1")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class Client:
    """HTTP/1.1 to the proxy, with the Host header people would send."""

    def __init__(self, port: int, host: str = "localhost"):
        self.port, self.host = port, host

    def request(self, method: str, path: str, *, token: str = "", body=None, headers=None):
        raw = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        sent = {"Host": self.host, "User-Agent": BROWSER, **(headers or {})}
        if raw is not None:
            sent.setdefault("Content-Type", "application/json")
        if token:
            sent["Authorization"] = f"Token {token}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=raw, headers=sent)
            response = connection.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def expect(self, status: int, method: str, path: str, **kwargs) -> Answer:
        answer = self.request(method, path, **kwargs)
        if answer.status != status:
            raise RehearsalFailed(
                f"{method} {path}: expected {status}, got {answer.status}: {answer.body[:600]!r}"
            )
        return answer


def shanghai_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def sign(body: bytes, secret: str, stamp: int) -> str:
    """DESIGN.md's X-Signature, computed here as a storefront would, not by our code."""
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def hashed_address(address: str, salt: str) -> str:
    """What a click should store for ``address``: HMAC-SHA256 under CLICK_IP_SALT, which
    defaults to SECRET_KEY (DESIGN.md: the IP hash, never the raw IP)."""
    return hmac.new(salt.encode(), address.encode(), hashlib.sha256).hexdigest()


def check(condition: bool, message: str) -> None:
    if not condition:
        raise RehearsalFailed(message)


def sign_up(client: Client, role: str, suffix: str) -> str:
    body = {
        "username": f"{role}-{suffix}",
        "email": f"{role}-{suffix}@example.com",
        "password": PASSWORD,
        "role": role,
        "organisation": f"Rehearsal {role} {suffix}",
    }
    return client.expect(201, "POST", "/api/v1/auth/register/", body=body).json()["token"]


def organisation_of(client: Client, token: str) -> dict:
    return client.expect(200, "GET", "/api/v1/me/", token=token).json()["organisation"]


@dataclass
class People:
    merchant: str
    buyer: str
    provider: str
    operator: str


def sign_up_everyone(client: Client, operator_password: str, operator_name: str) -> People:
    suffix = secrets.token_hex(3)
    merchant, buyer, provider = (sign_up(client, role, suffix) for role in
                                 ("merchant", "buyer", "provider"))  # fmt: skip
    check(organisation_of(client, provider)["status"] == "pending", "a new provider is pending")
    operator = client.expect(
        200, "POST", "/api/v1/auth/token/",
        body={"username": operator_name, "password": operator_password},
    ).json()["token"]  # fmt: skip
    provider_id = organisation_of(client, provider)["id"]
    client.expect(200, "POST", f"/api/v1/providers/{provider_id}/approve/", token=operator)
    check(organisation_of(client, provider)["status"] == "active", "the operator approved it")
    return People(merchant=merchant, buyer=buyer, provider=provider, operator=operator)


def list_product_to_link(client: Client, people: People) -> dict:
    """Product -> campaign (open, no return window) -> enrollment (approved) -> roster ->
    the buyer's link. Returns the link."""
    today = shanghai_today()
    product = client.expect(201, "POST", "/api/v1/products/", token=people.merchant, body={
        "sku": "REH-001", "title": "Rehearsal silk scarf", "category": "womens-clothing",
        "brand": "Rehearsal", "price": "120.00", "stock": 100, "sample_stock": 5,
        "storefront_url": "https://shop.example.com/p/reh-001", "status": "active",
    }).json()  # fmt: skip
    campaign = client.expect(201, "POST", "/api/v1/campaigns/", token=people.provider, body={
        "name": "Rehearsal week", "categories": ["womens-clothing"],
        "registration_start": today.isoformat(),
        "registration_end": (today + timedelta(days=20)).isoformat(),
        "promotion_start": today.isoformat(),
        "promotion_end": (today + timedelta(days=30)).isoformat(),
        "min_commission_rate": "0.1000", "service_fee_rate": "0.1000",
        "settlement_delay_days": 0, "attribution_window_days": 7,
    }).json()  # fmt: skip
    opened = client.expect(
        200, "POST", f"/api/v1/campaigns/{campaign['id']}/open/", token=people.provider
    )
    check(opened.json()["status"] == "ongoing", f"campaign opened: {opened.json()['status']}")
    enrollment = client.expect(201, "POST", "/api/v1/enrollments/", token=people.merchant, body={
        "campaign": campaign["id"], "product": product["id"], "commission_rate": "0.2000",
        "service_fee_rate": "0.1000", "campaign_price": "100.00", "promotion_stock": 50,
    }).json()  # fmt: skip
    client.expect(
        200, "POST", f"/api/v1/enrollments/{enrollment['id']}/approve/", token=people.provider
    )
    buyer_id = organisation_of(client, people.buyer)["id"]
    membership = client.expect(
        201, "POST", "/api/v1/roster/", token=people.provider, body={"buyer": buyer_id}
    ).json()
    client.expect(200, "POST", f"/api/v1/roster/{membership['id']}/accept/", token=people.buyer)
    return client.expect(
        201, "POST", "/api/v1/links/", token=people.buyer, body={"enrollment": enrollment["id"]}
    ).json()


def click(client: Client, code: str, forged: str) -> str:
    """A shopper's visit that claims to come from ``forged``; the click id it was given."""
    answer = client.expect(302, "GET", f"/l/{code}", headers={"X-Forwarded-For": forged})
    location = answer.headers.get("Location", "")
    check(location.startswith("https://shop.example.com/p/reh-001"), f"redirect: {location}")
    return parse_qs(urlparse(location).query)["click_id"][0]


def order_event(kind: str, click_id: str, event_id: str) -> dict:
    return {
        "event_id": event_id,
        "type": f"order.{kind}",
        "order": {
            "external_id": "REH-ORDER-1",
            "click_id": click_id,
            "lines": [{"sku": "REH-001", "quantity": 1, "amount": "100.00"}],
        },
    }


def post_webhook(client: Client, event: dict, secret: str) -> Answer:
    raw = json.dumps(event).encode()
    signature = sign(raw, secret, int(time.time()))
    return client.expect(
        201, "POST", "/api/v1/webhooks/orders/", body=raw, headers={"X-Signature": signature}
    )


def settle_in_worker(client: Client, operator: str) -> dict:
    """The operator's run, sent to the worker (202) and watched until it finishes."""
    run = client.expect(202, "POST", "/api/v1/settlements/run/", token=operator, body={})
    path = f"/api/v1/settlements/{run.json()['id']}/"

    def finished() -> bool:
        return client.expect(200, "GET", path, token=operator).json()["status"] != "running"

    wait_until(finished, seconds=60, what="the worker finishing the settlement run")
    return client.expect(200, "GET", path, token=operator).json()


def balances(client: Client, token: str) -> dict[str, str]:
    rows = client.expect(200, "GET", "/api/v1/ledger/balances/", token=token).json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    return {row["account"]: row["balance"] for row in rows}


def check_pages(client: Client) -> list[str]:
    """Pages that render templates and static files of the collected manifest: the sign-in
    page, its stylesheet (hashed name, cached for a year), the API docs, a missing link."""
    login = client.expect(200, "GET", "/accounts/login/").body.decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', login)
    check(stylesheet is not None, "the sign-in page links the stylesheet by its hashed name")
    css = client.expect(200, "GET", stylesheet[1])
    check("max-age=315360000" in css.headers.get("Cache-Control", ""), "hashed files cached")
    client.expect(200, "GET", "/api/docs/")
    missing = client.expect(404, "GET", "/l/NO-SUCH-LINK")
    check(b"<html" in missing.body.lower(), "an unknown link answers the 404 page")
    return [stylesheet[1]]
