"""The permission matrix: who may read and act on each API resource and portal page.

One small marketplace (``world``): merchant A enrolled in provider A's campaign, buyer A on
provider A's roster promoting it, and for every role an "other" organisation that owns nothing
here. For each detail resource the organisations that may read it get 200; the other
organisation of a role that may read it gets 404 (never a hint that the object exists) on GET
and on a representative POST action, and nothing changes; roles that have no business with it
get 403 or 404, never 2xx. Then every portal page of ``core.navigation.ENTRIES`` per role, and
every API list endpoint for anonymous callers.
"""

import json
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import OPERATOR, Invitation, Role
from commissions.models import AffiliateLink, OrderImport
from config.api_urls import router
from core.models import Notification
from core.navigation import ENTRIES
from influencers.models import Livestream, SampleRequest
from matchmaking.models import Assortment, AssortmentItem, ChangeRequest, Enrollment, MatchProposal
from matchmaking.rates import record_initial_rate
from merchants.models import ProductImport
from tests.conftest import MemberClient
from tests.factories import (
    PASSWORD,
    AffiliateLinkFactory,
    CampaignFactory,
    EnrollmentFactory,
    OperatorFactory,
    OrganisationFactory,
    ProductFactory,
    RosterMembershipFactory,
    UserFactory,
    attributed_line,
    commission_for,
)

CALLERS = ("merchant", "other_merchant", "provider", "other_provider", "buyer", "other_buyer")
ROLE_OF = {
    "merchant": Role.MERCHANT,
    "other_merchant": Role.MERCHANT,
    "provider": Role.PROVIDER,
    "other_provider": Role.PROVIDER,
    "buyer": Role.BUYER,
    "other_buyer": Role.BUYER,
}
ALL_OWNERS = frozenset({"merchant", "provider", "buyer"})


@dataclass(frozen=True)
class Case:
    """``url`` is formatted with the world's objects; ``readers`` answer 200 on GET. ``action``
    (POST ``<url><action>/``) is sent by everyone who is not one of its ``actors`` and must
    change nothing."""

    id: str
    url: str
    obj: str
    readers: frozenset[str]
    action: str | None = None
    actors: frozenset[str] = frozenset()
    body: dict = field(default_factory=dict)


def who(*names: str) -> frozenset[str]:
    return frozenset(names)


OWNERS = who("merchant", "provider", "buyer")
# a live campaign is public to every merchant and buyer (matchmaking.selectors.campaigns)
CAMPAIGN_READERS = who("provider", "merchant", "other_merchant", "buyer", "other_buyer")

CASES = [
    Case(
        "product", "products/{product.pk}/", "product", who("merchant"), "archive", who("merchant")
    ),
    Case(
        "campaign",
        "campaigns/{campaign.pk}/",
        "campaign",
        CAMPAIGN_READERS,
        "close",
        who("provider"),
    ),
    Case(
        "enrollment",
        "enrollments/{enrollment.pk}/",
        "enrollment",
        who("merchant", "provider"),
        "withdraw",
        who("merchant"),
    ),
    Case(
        "change-request",
        "change-requests/{change_request.pk}/",
        "change_request",
        who("merchant", "provider"),
        "accept",
        who("provider"),
    ),
    Case(
        "roster",
        "roster/{membership.pk}/",
        "membership",
        who("provider", "buyer"),
        "end",
        who("provider", "buyer"),
    ),
    Case(
        "assortment",
        "assortments/{assortment.pk}/",
        "assortment",
        who("provider", "buyer"),
        "reorder",
        who("provider"),
        {"enrollments": []},
    ),
    Case(
        "livestream",
        "livestreams/{livestream.pk}/",
        "livestream",
        who("buyer"),
        "confirm",
        who("buyer"),
    ),
    Case("livestream-stats", "livestreams/{livestream.pk}/stats/", "livestream", who("buyer")),
    Case(
        "sample-request",
        "sample-requests/{sample.pk}/",
        "sample",
        OWNERS,
        "approve",
        who("merchant", "provider"),
    ),
    Case("link", "links/{link.pk}/", "link", OWNERS),
    Case("link-stats", "links/{link.pk}/stats/", "link", OWNERS),
    Case("order", "orders/{order.pk}/", "order", OWNERS),
    Case("commission", "commissions/{commission.pk}/", "commission", OWNERS),
    Case(
        "invitation",
        "invitations/{invitation.pk}/",
        "invitation",
        who("merchant"),
        "revoke",
        who("merchant"),
    ),
    Case("member", "members/{users[merchant].pk}/", "merchant_user", who("merchant")),
    Case("enrollment-rate", "enrollment-rates/{rate.pk}/", "rate", who("merchant", "provider")),
    Case(
        "product-import", "product-imports/{product_import.pk}/", "product_import", who("merchant")
    ),
    Case("order-import", "order-imports/{order_import.pk}/", "order_import", who("merchant")),
    Case(
        "match-proposal",
        "match-proposals/{proposal.pk}/",
        "proposal",
        who("provider", "buyer"),
        "accept",
        who("buyer"),
    ),
]


class World(dict):
    """The marketplace's objects by name, readable as attributes for ``str.format``."""

    __getattr__ = dict.__getitem__


@pytest.fixture
def world(db) -> World:
    orgs = {name: OrganisationFactory(role=ROLE_OF[name]) for name in CALLERS}
    users = {name: UserFactory(organisation=orgs[name]) for name in CALLERS}
    product = ProductFactory(merchant=orgs["merchant"])
    campaign = CampaignFactory(provider=orgs["provider"])
    enrollment = EnrollmentFactory(campaign=campaign, product=product, status="approved")
    membership = RosterMembershipFactory(provider=orgs["provider"], buyer=orgs["buyer"])
    link = AffiliateLinkFactory(buyer=orgs["buyer"], enrollment=enrollment)
    line = attributed_line(link)
    assortment = Assortment.objects.create(provider=orgs["provider"], name="Autumn")
    assortment.buyers.add(orgs["buyer"])
    livestream = Livestream.objects.create(
        buyer=orgs["buyer"], title="Friday live", scheduled_at=timezone.now() + timedelta(days=3)
    )
    return World(
        orgs=orgs,
        users=users,
        merchant_user=users["merchant"],
        product=product,
        campaign=campaign,
        enrollment=enrollment,
        membership=membership,
        link=link,
        order=line.order,
        commission=commission_for(line),
        assortment=assortment,
        livestream=livestream,
        sample=SampleRequest.objects.create(
            buyer=orgs["buyer"],
            enrollment=enrollment,
            approve_by=timezone.now() + timedelta(days=2),
        ),
        change_request=ChangeRequest.objects.create(
            enrollment=enrollment,
            kind=ChangeRequest.Kind.RATE_CHANGE,
            commission_rate=Decimal("0.2500"),
            requested_by=users["merchant"],
        ),
        invitation=Invitation.objects.create(
            organisation=orgs["merchant"],
            email="teammate@example.com",
            invited_by=users["merchant"],
            expires_at=timezone.now() + timedelta(days=7),
        ),
        proposal=MatchProposal.objects.create(
            provider=orgs["provider"],
            buyer=orgs["buyer"],
            enrollment=enrollment,
            proposed_by=users["provider"],
        ),
        rate=record_initial_rate(enrollment=enrollment, at=timezone.now()),
        product_import=ProductImport.objects.create(merchant=orgs["merchant"], content=""),
        order_import=OrderImport.objects.create(merchant=orgs["merchant"], content=""),
        notification=Notification.objects.create(
            organisation=orgs["merchant"], kind="test", message="For merchant A only"
        ),
    )


def denial(owners: frozenset[str], caller: str) -> tuple[int, ...]:
    """Another organisation of a role that may do this: 404, never a hint that the object
    exists. A role that may not do it at all: 403 (role refused) or 404 (scoped away)."""
    if caller not in owners and any(ROLE_OF[owner] == ROLE_OF[caller] for owner in owners):
        return (404,)
    return (403, 404)


MATRIX = [
    pytest.param(case, caller, id=f"{case.id}-{caller}") for case in CASES for caller in CALLERS
]


@pytest.mark.parametrize(("case", "caller"), MATRIX)
def test_detail_resource_answers_only_its_organisations(world, case, caller):
    url = "/api/v1/" + case.url.format(**world)
    api = MemberClient().as_member(world.users[caller])
    who_asks = f"{ROLE_OF[caller]} ({caller})"

    status = api.get(url).status_code

    if caller in case.readers:
        assert status == 200, f"{who_asks} GET {url}: {status}, expected 200"
    else:
        expected = denial(case.readers, caller)
        assert status in expected, f"{who_asks} GET {url}: {status}, expected {expected}"
    if case.action is None or caller in case.actors:
        return
    target = world[case.obj]
    before = model_to_dict(target)
    action = f"{url}{case.action}/"

    status = api.post(action, case.body, format="json").status_code

    expected = denial(case.actors, caller)
    assert status in expected, f"{who_asks} POST {action}: {status}, expected {expected}"
    target.refresh_from_db()
    assert model_to_dict(target) == before, f"{who_asks} POST {action}: {status} but changed it"


@pytest.mark.parametrize("caller", ["other_merchant", "provider", "buyer"])
def test_notifications_stay_with_their_organisation(world, caller):
    api = MemberClient().as_member(world.users[caller])
    notice = world.notification

    listed = api.get("/api/v1/notifications/")
    marked = api.post("/api/v1/notifications/mark-read/", {"ids": [notice.pk]}, format="json")

    assert notice.pk not in [row["id"] for row in listed.json()["results"]], caller
    assert marked.json() == {"marked": 0}, caller
    notice.refresh_from_db()
    assert notice.read_at is None


# -- portal pages --------------------------------------------------------------------------

PORTAL_ROLES = (Role.MERCHANT, Role.BUYER, Role.PROVIDER, OPERATOR)
PUBLIC_PAGES = {"home", "api-docs"}  # the landing page and the API documentation
# an operator opening the members' statements page is sent to the payouts page (statements of
# one organisation are opened from there with ?organisation=)
REDIRECTS = {("statements", OPERATOR): "operator-payouts"}


def portal_client(role: str) -> Client:
    client = Client()
    if role == OPERATOR:
        client.force_login(OperatorFactory())
    else:
        client.force_login(UserFactory(organisation=OrganisationFactory(role=role)))
    return client


PAGES = sorted({entry.url_name for entry in ENTRIES})


def roles_for(url_name: str) -> set[str]:
    return {role for entry in ENTRIES if entry.url_name == url_name for role in entry.roles}


@pytest.mark.parametrize("role", PORTAL_ROLES)
@pytest.mark.parametrize("url_name", PAGES)
def test_portal_page_opens_only_for_its_roles(db, url_name, role):
    url = reverse(url_name)

    response = portal_client(role).get(url)

    if role in roles_for(url_name):
        assert response.status_code == 200, f"{role} GET {url}: {response.status_code}"
    elif (url_name, role) in REDIRECTS:
        expected = reverse(REDIRECTS[url_name, role])
        assert response.status_code == 302, f"{role} GET {url}: {response.status_code}"
        assert response["Location"] == expected, f"{role} GET {url} -> {response['Location']}"
    elif url_name == "admin:index":
        # Django's admin sends non-staff users to its own login page
        assert response.status_code == 302, f"{role} GET {url}: {response.status_code}"
        assert response["Location"].startswith(reverse("admin:login")), f"{role} GET {url}"
    else:
        assert response.status_code == 403, f"{role} GET {url}: {response.status_code}"


@pytest.mark.parametrize("url_name", sorted(set(PAGES) - PUBLIC_PAGES))
def test_portal_page_sends_anonymous_visitors_to_login(db, url_name):
    url = reverse(url_name)

    response = Client().get(url)

    assert response.status_code == 302, f"anonymous GET {url}: {response.status_code}"
    assert "login" in response["Location"], f"anonymous GET {url} -> {response['Location']}"


# -- anonymous API -------------------------------------------------------------------------


def api_list_urls() -> list[str]:
    """Every router list route plus the plain views; not register, token or the webhook,
    which are open by design."""
    urls = []
    for _prefix, _viewset, basename in router.registry:
        try:
            urls.append(reverse(f"{basename}-list"))
        except NoReverseMatch:  # a viewset without a list route
            continue
    for name in (
        "api-me",
        "api-buyer-profile",
        "api-buyer-stats",
        "api-dashboard",
        "api-statements",
        "api-platform-settings",
        "api-ledger-balances",
        "api-recommendations",
        "api-recommendations-buyers",
    ):
        urls.append(reverse(name))
    return urls


@pytest.mark.parametrize("url", api_list_urls())
def test_anonymous_callers_get_no_api_data(db, url):
    response = MemberClient().get(url)

    assert response.status_code in (401, 403), f"anonymous GET {url}: {response.status_code}"


# -- creating with another organisation's ids ----------------------------------------------


@dataclass(frozen=True)
class CreateCase:
    """``caller`` POSTs to ``url`` a body naming objects of the world it has no business with."""

    id: str
    caller: str
    url: str
    body: str  # formatted with the world, then read as JSON
    model: type


CREATE_CASES = [
    CreateCase(
        "enrollment-of-another-merchants-product",
        "other_merchant",
        "enrollments/",
        '{{"campaign": {campaign.pk}, "product": {product.pk}, "commission_rate": "0.2500",'
        ' "service_fee_rate": "0.1000", "campaign_price": "150.00", "promotion_stock": 10}}',
        Enrollment,
    ),
    CreateCase(
        "change-request-of-another-merchants-enrollment",
        "other_merchant",
        "change-requests/",
        '{{"enrollment": {enrollment.pk}, "kind": "cancellation"}}',
        ChangeRequest,
    ),
    CreateCase(
        "link-of-an-unreached-enrollment",
        "other_buyer",
        "links/",
        '{{"enrollment": {enrollment.pk}}}',
        AffiliateLink,
    ),
    CreateCase(
        "sample-of-an-unreached-enrollment",
        "other_buyer",
        "sample-requests/",
        '{{"enrollment": {enrollment.pk}}}',
        SampleRequest,
    ),
    CreateCase(
        "proposal-of-another-providers-enrollment",
        "other_provider",
        "match-proposals/",
        '{{"buyer": {orgs[buyer].pk}, "enrollments": [{enrollment.pk}]}}',
        MatchProposal,
    ),
    CreateCase(
        "assortment-of-another-providers-enrollment",
        "other_provider",
        "assortments/",
        '{{"name": "Borrowed", "items": [{{"enrollment": {enrollment.pk}}}]}}',
        AssortmentItem,
    ),
]


@pytest.mark.parametrize("case", CREATE_CASES, ids=lambda case: case.id)
def test_nobody_creates_with_another_organisations_objects(world, case):
    url = f"/api/v1/{case.url}"
    api = MemberClient().as_member(world.users[case.caller])
    count = case.model.objects.count()

    response = api.post(url, json.loads(case.body.format(**world)), format="json")

    who_asks = f"{ROLE_OF[case.caller]} ({case.caller})"
    assert not 200 <= response.status_code < 300, (
        f"{who_asks} POST {url}: {response.status_code} {response.content[:300]!r}"
    )
    assert case.model.objects.count() == count, f"{who_asks} POST {url} created a row"


# -- CSRF, headers and login throttling ------------------------------------------------------


@pytest.mark.parametrize("url_name", PAGES)
def test_a_portal_post_without_a_csrf_token_is_refused(db, url_name):
    role = sorted(roles_for(url_name))[0]
    client = portal_client(role)
    client.handler.enforce_csrf_checks = True
    url = reverse(url_name)

    response = client.post(url, {})

    assert response.status_code == 403, f"{role} POST {url} without CSRF: {response.status_code}"
    assert b"CSRF" in response.content, f"{role} POST {url}: refused, but not for CSRF"


def test_portal_pages_carry_the_secure_headers(db):
    response = portal_client(Role.MERCHANT).get(reverse("dashboard"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_portal_login_locks_after_five_failures_even_for_the_right_password(merchant):
    client = Client()
    url = reverse("account_login")
    for _ in range(5):
        client.post(url, {"login": merchant.username, "password": "wrong"})

    response = client.post(url, {"login": merchant.username, "password": PASSWORD})

    assert response.status_code == 200  # the form again, not the redirect of a signed-in user
    assert b"Too many failed login attempts" in response.content


def test_the_api_token_endpoint_locks_after_repeated_failures(merchant):
    api = MemberClient()
    for _ in range(10):
        api.post("/api/v1/auth/token/", {"username": merchant.username, "password": "wrong"})

    response = api.post(
        "/api/v1/auth/token/", {"username": merchant.username, "password": PASSWORD}
    )

    assert response.status_code == 429, f"token after 10 failures: {response.status_code}"
    assert "throttled" in response.json()["detail"].lower()
