"""Hostile input at every API operation and every portal page, as every role: never a 5xx
(issue 14).

The shapes an attacker sent a running server: JSON nested 50,000 deep, dates in year 1 or 9999
(query parameters, bodies, CSV cells, webhook events), NUL characters (PostgreSQL refuses them
in text), and other strings that break naive code: huge numbers, NaN, markup, long text.

API operations come from the OpenAPI schema (every path, method, query parameter and body
property); portal pages from the URL resolver, with the object ids of the permission matrix's
``world`` and the field names of each page's own forms. Each request starts from a body that
would pass (ids of the world's objects, dates of this decade) so a hostile value reaches the
code behind the serializer, not only the serializer. First a fixed pass sends each shape to
every parameter and field at once; then hypothesis (derandomized, few examples) mixes hostile
values into random subsets. The webhook's bodies are signed; the order export names the
world's product, link and click, so attribution runs on hostile times.
"""

import functools
import itertools
import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from commissions.models import Click
from commissions.order_csv_rows import COLUMNS as ORDER_COLUMNS
from commissions.services.webhooks import signature_header
from influencers.services.sample_shipments import COLUMNS as SHIPMENT_COLUMNS
from merchants.csv_import import COLUMNS as PRODUCT_COLUMNS
from tests import test_permission_matrix as matrix
from tests.conftest import MemberClient
from tests.factories import OperatorFactory
from tests.test_permission_matrix import OBJECT_PAGES, World

# The permission matrix's marketplace: an object of every kind, and an organisation of each role.
world = matrix.world

ROLES = ("merchant", "buyer", "provider", "operator", "anonymous")
EXAMPLES = 2  # generated passes over every operation and page the role reaches
REFUSED = (401, 403, 404, 405)
DEEP = "[" * 50_000
NUL = "\x00"
# One shape at a time, everywhere at once (the fixed pass).
LATE = "9999-12-31"
QUERY_SHAPES = (NUL, LATE, "0001-01-01", "99999999999999999999")
DATE_NAMES = {"from", "to", "month", "as_of"}
DATE_ENDINGS = ("_from", "_to", "_at", "_start", "_end")
BODY_SHAPES = {"nul": NUL, "late": "9999-12-31", "early": "0001-01-01"}
HOSTILE = [
    NUL, f"a{NUL}b", "9999-12-31", "0001-01-01", "9999-12", "0001-01", "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+14:00", "9999-12-31 23:59:59", "2026-02-30", "99999999999999999999",
    "-9223372036854775809", "1e309", "NaN", "sNaN", "-Infinity", "-1", "0", "", " ", "' OR '1'='1",
    "<script>alert(1)</script>", "{{ 7|add:7 }}", "%(name)s %s %n", "../../etc/passwd",
    "\u202e\ufeff", "é" * 300, "x" * 5000, "9" * 5000, "²", "[" * 64, "true", "null",
]  # fmt: skip
JSON_HOSTILE = [*HOSTILE, 2**63, -(2**63) - 1, 1e308, -0.0, True, None, [], {}, [NUL], {NUL: NUL}]
# Integer properties and form fields naming one of the world's objects.
OBJECT_OF = {
    "campaign": "campaign", "enrollment": "enrollment", "product": "product",
    "livestream": "livestream", "slot": "slot", "sample_request": "sample",
    "link": "link", "order": "order", "parent": "enrollment", "enrollment_id": "enrollment",
}  # fmt: skip
ORGANISATION_OF = {
    "buyer": "buyer", "provider": "provider", "organisation": "buyer", "buyers": "buyer",
}  # fmt: skip
# The object of a detail route, by the route's first segment.
RESOURCE_OBJECTS = {
    "products": "product", "campaigns": "campaign", "enrollments": "enrollment",
    "change-requests": "change_request", "enrollment-rates": "rate", "roster": "membership",
    "assortments": "assortment", "livestreams": "livestream", "sample-requests": "sample",
    "links": "link", "orders": "order", "commissions": "commission", "invitations": "invitation",
    "members": "merchant_user", "product-imports": "product_import",
    "order-imports": "order_import", "match-proposals": "proposal", "payouts": "payout",
    "providers": "provider_org", "settlements": "settlement", "notifications": "notification",
}  # fmt: skip
PORTAL_IGNORED = ("api/", "admin/", "static/")
# allauth's e-mailed keys, and logout (it would sign the client out for the rest of the run)
PORTAL_SKIPPED = {"account_confirm_email", "account_reset_password_from_key"}
SIGNS_OUT = ("/auth/token/revoke/",)  # the API's logout: sent once, at the very end
DATE_LIKE = re.compile(r"\d{4}-\d{2}")
FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


# -- what to send --------------------------------------------------------------------------


@functools.cache
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(node: dict) -> dict:
    while "$ref" in node:
        node = schema()["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def api_operations() -> list[tuple[str, str, dict]]:
    """(method, path, operation) for every operation; deletions and the revocation of the
    caller's own token last, so they spoil nothing."""
    found = [
        (method, path, operation)
        for path, item in schema()["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    return sorted(found, key=lambda op: (op[1].endswith(SIGNS_OUT), op[0] == "delete"))


class Sender:
    """Builds the requests of one role against one world and records every 5xx."""

    def __init__(self, world: World, role: str):
        self.world, self.role = world, role
        self.failures: list[str] = []
        self.serial = itertools.count()
        user = OperatorFactory() if role == "operator" else world.users.get(role)
        self.api = MemberClient().as_member(user) if user else MemberClient()
        self.portal = Client()
        if user:
            self.portal.force_login(user)
        for client in (self.api, self.portal):
            client.raise_request_exception = False
        # as services.change_requests makes them: a rate change names both rates
        world.change_request.service_fee_rate = world.enrollment.service_fee_rate
        world.change_request.save(update_fields=["service_fee_rate"])
        self.click = Click.objects.create(
            link=world.link, click_id="click-1", ip_hash="0" * 64,
            clicked_at=timezone.now() - timedelta(hours=1),
        )  # fmt: skip

    # values that would pass, by name and schema
    def plausible(self, name: str, node: dict) -> Any:
        node = resolve(node)
        kind, fmt = node.get("type"), node.get("format")
        if "enum" in node:
            return node["enum"][0]
        if kind == "array":
            return [self.plausible(name.removesuffix("s"), node.get("items", {}))]
        if kind == "object" or "properties" in node:
            return {
                key: self.plausible(key, sub) for key, sub in node.get("properties", {}).items()
            }
        if kind == "integer":
            return self.object_id(name)
        if kind == "boolean":
            return True
        return self.plausible_text(name, fmt, node.get("pattern", ""))

    def plausible_text(self, name: str, fmt: str | None = None, pattern: str = "") -> str:
        world = self.world
        if fmt == "date-time" or name.endswith("_at"):
            return "2026-06-01T10:00:00+08:00"
        if fmt == "date" or name in {"from", "to", "as_of"} or name.endswith(("_start", "_end")):
            return "2026-06-01"
        if fmt == "decimal":
            return "0.2000" if "4}" in pattern else "10.00"
        if fmt == "uri" or name.endswith("url"):
            return "https://shop.example.com/item/1"
        if fmt == "email":
            return f"hostile{next(self.serial)}@example.com"
        special = {
            "sku": world.product.sku, "link_code": world.link.code, "click_id": "click-1",
            "category": "womens-clothing", "month": "2026-05", "type": "order.paid",
        }  # fmt: skip
        if name in special:
            return special[name]
        if name in {"event_id", "external_id", "username", "order_id"}:
            return f"hostile-{next(self.serial)}"
        return str(self.object_id(name)) if name in OBJECT_OF or name in ORGANISATION_OF else "1"

    def object_id(self, name: str) -> int:
        if name in OBJECT_OF:
            return self.world[OBJECT_OF[name]].pk
        if name in ORGANISATION_OF:
            return self.world.orgs[ORGANISATION_OF[name]].pk
        return 1

    # sending
    def record(self, response, request: str) -> int:
        if response.status_code >= 500:
            error = getattr(response, "exc_info", None)
            cause = repr(error[1])[:300] if error else response.content[:200]
            self.failures.append(f"{self.role} {request} -> {response.status_code}: {cause}")
        return response.status_code

    def api_call(self, method: str, path: str, query: dict, body: Any = None, raw: str = "",
                 content_type: str = "application/json", form: bool = False) -> int:  # fmt: skip
        url = path
        if query:
            url += "?" + "&".join(f"{k}={quote(v)}" for k, v in query.items())
        if raw or body is not None:
            data = raw or (None if form else json.dumps(body))
            extra = self.signature(data) if path.endswith("/webhooks/orders/") else {}
            if form:
                response = getattr(self.api, method)(url, flat(body), **extra)
            else:
                response = getattr(self.api, method)(
                    url, data=data, content_type=content_type, **extra
                )
        else:
            response = getattr(self.api, method)(url)
        shown = raw[:40] if raw else repr(body)[:200]
        return self.record(response, f"{method.upper()} {url[:300]} body={shown}")

    def signature(self, data: str | None) -> dict:
        raw = (data or "").encode()
        header = signature_header(
            body=raw, timestamp=int(time.time()), secret=settings.ORDER_WEBHOOK_SECRET
        )
        return {"HTTP_X_SIGNATURE": header}

    def portal_call(self, method: str, url: str, data: dict, htmx: bool = False) -> int:
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = getattr(self.portal, method)(url, data, **extra)
        shown = f"{method.upper()} {url}{' (htmx)' if htmx else ''} data={repr(data)[:200]}"
        return self.record(response, shown)


def everywhere(names: list[str], shape: str) -> dict[str, str]:
    """Every parameter set to the shape, a month (YYYY-MM) to its month; a late date only the
    parameters of dates, so that no other parameter's error hides theirs."""
    if shape == LATE:
        names = [name for name in names if name in DATE_NAMES or name.endswith(DATE_ENDINGS)]
    return {name: shape[:7] if name == "month" and shape[:4].isdigit() else shape for name in names}


def quote(value: str) -> str:
    from urllib.parse import quote as url_quote

    return url_quote(str(value), safe="")


def flat(body: Any) -> dict:
    """A JSON object as form fields: lists repeat, objects are left out."""
    if not isinstance(body, dict):
        return {"value": str(body)}
    return {
        key: [str(item) for item in value if not isinstance(item, dict)]
        if isinstance(value, list)
        else str(value)
        for key, value in body.items()
        if not isinstance(value, dict)
    }


def overlay(body: Any, choose) -> Any:
    """``body`` with the leaves ``choose(name, value)`` replaces (``choose`` returns the value
    itself to keep it)."""
    if isinstance(body, dict):
        return {key: overlay_leaf(key, value, choose) for key, value in body.items()}
    return body


def overlay_leaf(name: str, value: Any, choose) -> Any:
    if isinstance(value, dict):
        return overlay(value, choose)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [overlay(item, choose) for item in value]
    return choose(name, value)


def shaped(shape: str, text: str):
    """The fixed pass's choice: every text leaf becomes the shape (a time for times)."""

    def choose(name: str, value: Any) -> Any:
        if shape == "nul":
            return [NUL] if isinstance(value, list) else NUL
        if isinstance(value, str) and ("T" in value[10:11] or name.endswith("_at")):
            return f"{text}T00:00:00+00:00" if shape == "early" else f"{text}T23:59:59Z"
        return text if isinstance(value, str) and DATE_LIKE.match(value) else value

    return choose


# -- the API -------------------------------------------------------------------------------


def csv_body(sender: Sender, path: str, cell: str, column: str | None) -> str:
    """An order export, product file or shipment file whose ``column`` holds ``cell`` (every
    column when None), the other cells naming the world's objects."""
    world = sender.world
    columns, row = {
        "orders": (ORDER_COLUMNS, {"order_id": f"SO-{next(sender.serial)}", "status": "paid",
                                   "sku": world.product.sku, "quantity": "1", "amount": "10.00",
                                   "click_id": "click-1", "link_code": world.link.code,
                                   "paid_at": "2026-06-01 10:00:00"}),
        "products": (PRODUCT_COLUMNS, {"sku": "NEW-1", "title": "Dress", "price": "10.00",
                                       "category": "womens-clothing", "stock": "1",
                                       "storefront_url": "https://shop.example.com/item/9"}),
        "sample-requests": (SHIPMENT_COLUMNS, {"sample_request": str(world.sample.pk),
                                               "carrier": "SF", "tracking_number": "SF1"}),
    }[path.split("/")[3]]  # fmt: skip
    row = {name: cell if column in (None, name) else row.get(name, "") for name in columns}
    lines = [",".join(columns), ",".join(json.dumps(value) for value in row.values())]
    return "\n".join(lines) + "\n"


def detail_path(sender: Sender, path: str) -> str:
    resource = path.split("/")[3]
    target = sender.world.get(RESOURCE_OBJECTS.get(resource, ""), None)
    if resource in ORGANISATION_OF:  # a buyer directory entry is the buyer's organisation
        target = sender.world.orgs[ORGANISATION_OF[resource]]
    return re.sub(r"\{[^}]+\}", str(target.pk if target else 1), path)


def request_body(operation: dict) -> tuple[dict | None, bool, bool]:
    """The JSON body's schema, whether the body is CSV, whether forms are accepted."""
    content = operation.get("requestBody", {}).get("content", {})
    node = content.get("application/json") or content.get("application/x-www-form-urlencoded")
    forms = "multipart/form-data" in content or "application/x-www-form-urlencoded" in content
    return (resolve(node["schema"]) if node else None), "text/csv" in content, forms


def fixed_pass(sender: Sender, method: str, path: str, operation: dict) -> bool:
    """Each shape everywhere at once; whether the role reaches the operation at all."""
    url = detail_path(sender, path)
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    body_schema, is_csv, _forms = request_body(operation)
    base = sender.plausible("body", body_schema) if body_schema else None
    first = sender.api_call(method, url, {}, base) if base is not None else None
    if first is None and not is_csv:
        first = sender.api_call(method, url, {})
    if names:
        sender.api_call(method, url, dict.fromkeys(names, NUL), base)
    if body_schema or is_csv:
        sender.api_call(method, url, {}, raw=DEEP)
    if first in REFUSED:
        return False  # refused before reading anything: the middleware's shapes were enough
    for shape in QUERY_SHAPES[1:] if names else ():
        sender.api_call(method, url, everywhere(names, shape), base)
    for shape, text in BODY_SHAPES.items():
        if base is not None:
            sender.api_call(method, url, {}, overlay(base, shaped(shape, text)))
    if is_csv:
        for cell, column in [(NUL, None), ("9999-12-31 23:59:59", "paid_at"),
                             ("0001-01-01 00:00:00", "paid_at"), ("9999-12-31", None)]:  # fmt: skip
            raw = csv_body(sender, url, cell, column)
            sender.api_call(method, url, {}, raw=raw, content_type="text/csv")
    return True


def generated_pass(sender: Sender, data, method: str, path: str, operation: dict) -> None:
    url = detail_path(sender, path)
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    query = {
        name: data.draw(st.sampled_from(HOSTILE)) for name in names if data.draw(st.booleans())
    }
    body_schema, is_csv, forms = request_body(operation)
    if is_csv:
        column = data.draw(st.sampled_from([None, *ORDER_COLUMNS[:9]]))
        raw = csv_body(sender, url, data.draw(st.sampled_from(HOSTILE[:12])), column)
        sender.api_call(method, url, query, raw=raw, content_type="text/csv")
        return
    body = None
    if body_schema:
        values = st.sampled_from(JSON_HOSTILE)
        body = overlay(
            sender.plausible("body", body_schema),
            lambda _name, value: data.draw(values) if data.draw(st.booleans()) else value,
        )
    form = forms and body is not None and data.draw(st.booleans())
    sender.api_call(method, url, query, body, form=form)


# -- the portal ----------------------------------------------------------------------------


def portal_routes(resolver=None, namespace: str = "", prefix: str = "") -> Iterator[tuple]:
    """(name, route) of every portal page."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(PORTAL_IGNORED):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from portal_routes(pattern, inner, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, route


def portal_urls(world: World) -> dict[str, set[str]]:
    """Every portal page's address, with the fields the permission matrix posts to it."""
    pages = {page.url_name: page for page in reversed(OBJECT_PAGES)}
    urls: dict[str, set[str]] = {}
    for name, route in portal_routes():
        if name in PORTAL_SKIPPED:
            continue
        if name == "follow-link":
            urls[reverse(name, kwargs={"code": world.link.code})] = set()
        elif name in pages:
            matrix_pages = [page for page in OBJECT_PAGES if page.url_name == name]
            for page in matrix_pages:
                urls.setdefault(page.url(world), set()).update(page.body)
        else:
            assert "<" not in route, f"portal page {name} ({route}) needs its objects here"
            urls[reverse(name)] = set()
    return dict(sorted(urls.items(), key=lambda item: "delete" in item[0]))


class Page:
    """A portal page as the role sees it: whether it opens (or only takes POSTs) and the
    names of its form fields (those of its own forms, and those the permission matrix posts)."""

    def __init__(self, sender: Sender, url: str, posted: set[str]):
        self.url = url
        response = sender.portal.get(url)
        sender.record(response, f"GET {url}")
        self.status = response.status_code
        login = self.status == 302 and "/accounts/login/" in response.get("Location", "")
        self.refused = self.status in (403, 404) or login
        readable = self.status == 200 and not response.streaming
        html = response.content.decode(errors="replace") if readable else ""
        found = set(FIELD_NAME.findall(html)) | posted
        self.names = sorted(found - {"csrfmiddlewaretoken"})
        self.posts = not url.rstrip("/").endswith("logout")


def portal_fixed_pass(sender: Sender, page: Page, query_names: list[str]) -> None:
    sender.portal_call("get", page.url, dict.fromkeys(query_names, NUL))
    if page.posts:
        sender.portal_call("post", page.url, dict.fromkeys(page.names or ["q"], NUL))
    if page.refused:
        return
    for shape in QUERY_SHAPES[1:3] if page.status != 405 else ():
        sender.portal_call("get", page.url, everywhere(query_names, shape))
    base = {name: sender.plausible_text(name) for name in page.names}
    for shape, text in list(BODY_SHAPES.items())[1:] if page.posts else ():
        sender.portal_call("post", page.url, overlay(base, shaped(shape, text)))


def portal_generated_pass(sender: Sender, data, page: Page, query_names) -> None:
    url, names = page.url, page.names
    chosen = data.draw(st.lists(st.sampled_from(query_names), max_size=4, unique=True))
    query = {name: data.draw(st.sampled_from(HOSTILE)) for name in chosen}
    htmx = data.draw(st.booleans())
    sender.portal_call("get", url, query, htmx=htmx)
    if page.posts:
        form = {
            name: data.draw(st.sampled_from(HOSTILE))
            if data.draw(st.booleans())
            else sender.plausible_text(name)
            for name in names
        }
        sender.portal_call("post", url, form, htmx=htmx)


# -- the tests -----------------------------------------------------------------------------

PASSES = hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def query_names() -> list[str]:
    """Every query parameter the API documents, and the portal's own."""
    names = {
        parameter["name"]
        for item in schema()["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }
    return sorted(names | {"q", "next", "month", "range", "page", "organisation"})


@pytest.mark.parametrize("role", ROLES)
def test_the_api_never_answers_5xx_to_hostile_input(world, role):
    sender = Sender(world, role)
    operations = api_operations()

    reached = [op for op in operations if fixed_pass(sender, *op)]
    reached = [op for op in reached if not op[1].endswith(SIGNS_OUT)]

    @PASSES
    @given(data=st.data())
    def generated(data):
        for method, path, operation in reached:
            generated_pass(sender, data, method, path, operation)

    generated()
    assert len(operations) > 100
    assert not sender.failures, "\n".join(sender.failures[:40])


@pytest.mark.parametrize("role", ROLES)
def test_the_portal_never_answers_5xx_to_hostile_input(world, role):
    sender = Sender(world, role)
    queries = query_names()
    pages = [Page(sender, url, posted) for url, posted in portal_urls(world).items()]

    for page in pages:
        portal_fixed_pass(sender, page, queries)

    @PASSES
    @given(data=st.data())
    def generated(data):
        for page in pages:
            if not page.refused:
                portal_generated_pass(sender, data, page, queries)

    generated()
    assert len(pages) > 80
    assert not sender.failures, "\n".join(sender.failures[:40])
