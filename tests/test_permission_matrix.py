"""The permission matrix: who may read and act on each API resource and portal page.

One small marketplace (``world``): merchant A enrolled in provider A's campaign, buyer A on
provider A's roster promoting it, and for every role an "other" organisation that owns nothing
here. For each detail resource the organisations that may read it get 200; the other
organisation of a role that may read it gets 404 (never a hint that the object exists); roles
that have no business with it get 403 or 404, never 2xx. Every write on a detail route of the
router (PUT, PATCH, DELETE and each POST action) is sent by everyone who may not do it: the
other organisation of a role that may gets 404, other roles 403 or 404, and neither the object
nor any table changes. The portal's pages of one object follow the same rule. Lists of routes
come from the router and the URL resolver, so a new route without a case fails
``test_every_detail_route_has_a_case`` / ``test_every_portal_object_page_has_a_case``. Then
every portal page of ``portal.navigation.ENTRIES`` per role, and every API list endpoint for
anonymous callers.
"""

import json
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.models import OPERATOR, Invitation, Organisation, Role
from commissions import ledger
from commissions.models import (
    Account,
    AffiliateLink,
    LedgerTransaction,
    OrderImport,
    SettlementRun,
)
from config.api_urls import router
from core.models import Notification
from influencers.models import FollowerVerification, LineupSlot, Livestream, SampleRequest
from matchmaking.models import (
    Assortment,
    AssortmentItem,
    Campaign,
    ChangeRequest,
    Enrollment,
    EnrollmentRate,
    MatchProposal,
    RosterMembership,
)
from matchmaking.rates import record_initial_rate
from merchants.models import Product, ProductImport, StorefrontDomain
from portal.navigation import ENTRIES
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
    """GET ``url`` (formatted with the world's objects): ``readers`` answer 200. ``id`` is the
    router's basename for the router's resources."""

    id: str
    url: str
    obj: str
    readers: frozenset[str]


def who(*names: str) -> frozenset[str]:
    return frozenset(names)


OWNERS = who("merchant", "provider", "buyer")
NOBODY = who()  # operators only
# a live campaign is public to every merchant and buyer (matchmaking.selectors.campaigns)
CAMPAIGN_READERS = who("provider", "merchant", "other_merchant", "buyer", "other_buyer")

CASES = [
    Case("product", "products/{product.pk}/", "product", who("merchant")),
    Case("campaign", "campaigns/{campaign.pk}/", "campaign", CAMPAIGN_READERS),
    Case("enrollment", "enrollments/{enrollment.pk}/", "enrollment", who("merchant", "provider")),
    Case(
        "change-request",
        "change-requests/{change_request.pk}/",
        "change_request",
        who("merchant", "provider"),
    ),
    Case("roster", "roster/{membership.pk}/", "membership", who("provider", "buyer")),
    Case("assortment", "assortments/{assortment.pk}/", "assortment", who("provider", "buyer")),
    Case("livestream", "livestreams/{livestream.pk}/", "livestream", who("buyer")),
    Case("livestream-stats", "livestreams/{livestream.pk}/stats/", "livestream", who("buyer")),
    Case("sample-request", "sample-requests/{sample.pk}/", "sample", OWNERS),
    Case("link", "links/{link.pk}/", "link", OWNERS),
    Case("link-stats", "links/{link.pk}/stats/", "link", OWNERS),
    Case("order", "orders/{order.pk}/", "order", OWNERS),
    Case("commission", "commissions/{commission.pk}/", "commission", OWNERS),
    Case("invitation", "invitations/{invitation.pk}/", "invitation", who("merchant")),
    Case("member", "members/{users[merchant].pk}/", "merchant_user", who("merchant")),
    Case("enrollment-rate", "enrollment-rates/{rate.pk}/", "rate", who("merchant", "provider")),
    Case(
        "product-import", "product-imports/{product_import.pk}/", "product_import", who("merchant")
    ),
    Case("order-import", "order-imports/{order_import.pk}/", "order_import", who("merchant")),
    Case(
        "storefront-domain",
        "storefront-domains/{storefront_domain.pk}/",
        "storefront_domain",
        who("merchant"),
    ),
    Case("match-proposal", "match-proposals/{proposal.pk}/", "proposal", who("provider", "buyer")),
    Case("payout", "payouts/{payout.pk}/", "payout", who("buyer")),
    Case("provider", "providers/{orgs[provider].pk}/", "provider_org", NOBODY),
    Case("settlement", "settlements/{settlement.pk}/", "settlement", NOBODY),
]
CASE_OF = {case.id: case for case in CASES}
CASE_OF["livestream-links"] = CASE_OF["livestream"]


@dataclass(frozen=True)
class Write:
    """``method`` on a detail route of the router: the resource itself (``action`` "") or one
    of its POST actions, on the object of the resource's GET case. Sent by everyone who is not
    one of its ``actors``; string values of ``body`` are formatted with the world."""

    resource: str
    method: str
    action: str
    actors: frozenset[str]
    body: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.resource}-{self.method}-{self.action or 'detail'}"


def edits(resource: str, actors: frozenset[str], change: dict) -> list[Write]:
    """PUT (the owner's own representation with ``change``), PATCH ``change`` and DELETE."""
    return [
        Write(resource, "put", "", actors, change),
        Write(resource, "patch", "", actors, change),
        Write(resource, "delete", "", actors),
    ]


def posts(resource: str, actors: frozenset[str], *actions: str, body=None) -> list[Write]:
    return [Write(resource, "post", action, actors, body or {}) for action in actions]


WRITES = [
    *edits("product", who("merchant"), {"title": "Hijacked"}),
    *posts("product", who("merchant"), "archive"),
    *edits("campaign", who("provider"), {"name": "Hijacked"}),
    *posts("campaign", who("provider"), "open", "close"),
    *posts("enrollment", who("provider"), "approve"),
    *posts("enrollment", who("provider"), "reject", body={"reason": "other", "reason_text": "No"}),
    *posts("enrollment", who("provider"), "terminate", body={"reason_text": "Taken"}),
    *posts(
        "enrollment",
        who("provider"),
        "reoffer",
        body={"campaign": "{second_campaign.pk}", "service_fee_rate": "0.0500"},
    ),
    *posts("enrollment", who("merchant"), "withdraw"),
    *posts("change-request", who("provider"), "accept", "reject"),
    *posts("roster", who("buyer"), "accept"),
    *posts("roster", who("provider", "buyer"), "end"),
    *edits("assortment", who("provider"), {"name": "Hijacked"}),
    *posts("assortment", who("provider"), "reorder", body={"enrollments": ["{enrollment.pk}"]}),
    *edits("livestream", who("buyer"), {"title": "Hijacked"}),
    *posts("livestream", who("buyer"), "confirm", "go-live", "end"),
    # served by commissions on the livestream's route (links are commissions' to make)
    *posts("livestream-links", who("buyer"), "generate-links"),
    *posts("livestream", who("buyer"), "reorder", body={"slots": ["{slot.pk}"]}),
    *posts(
        "livestream",
        who("buyer"),
        "copy",
        body={"scheduled_at": "2030-01-01T20:00:00+08:00", "title": "Copied"},
    ),
    *posts(
        "livestream",
        who("buyer"),
        "build",
        body={"slots": 3, "category_mix": [], "new_share": 0},
    ),
    *posts("sample-request", who("merchant", "provider"), "approve"),
    *posts("sample-request", who("merchant", "provider"), "reject", body={"reason": "No"}),
    *posts(
        "sample-request",
        who("merchant"),
        "ship",
        body={"carrier": "SF", "tracking_number": "SF1"},
    ),
    *posts("sample-request", who("buyer"), "receive", "fulfil", "extend", "withdraw"),
    *posts("match-proposal", who("buyer"), "accept", "decline"),
    *posts("match-proposal", who("provider"), "withdraw"),
    *posts("invitation", who("merchant"), "revoke"),
    *posts("provider", NOBODY, "approve"),
    Write("storefront-domain", "delete", "", who("merchant")),
]
# Every table a refused write might have touched: none may change.
CENSUS = (
    Organisation, Invitation, Product, Campaign, Enrollment, EnrollmentRate, ChangeRequest,
    RosterMembership, Assortment, AssortmentItem, MatchProposal, Livestream, LineupSlot,
    SampleRequest, AffiliateLink, LedgerTransaction, Notification, StorefrontDomain,
    FollowerVerification,
)  # fmt: skip


def census() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in CENSUS}


class World(dict):
    """The marketplace's objects by name, readable as attributes for ``str.format``."""

    __getattr__ = dict.__getitem__


def a_payout(buyer: Organisation):
    """A payout of 1.00 to the buyer, posted straight into the ledger."""
    return ledger.post(
        kind=LedgerTransaction.Kind.PAYOUT,
        reference=f"payout:{buyer.pk}:matrix",
        entries=[
            (ledger.account_for(buyer, Account.Kind.BUYER_EARNINGS), Decimal("-1.00")),
            (ledger.account_for(None, Account.Kind.PAYOUTS), Decimal("1.00")),
        ],
    )


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
    AssortmentItem.objects.create(assortment=assortment, enrollment=enrollment, position=1)
    livestream = Livestream.objects.create(
        buyer=orgs["buyer"], title="Friday live", scheduled_at=timezone.now() + timedelta(days=3)
    )
    return World(
        orgs=orgs,
        users=users,
        merchant_user=users["merchant"],
        provider_org=orgs["provider"],
        product=product,
        campaign=campaign,
        # another provider's open campaign, the target of a second-level re-offer
        second_campaign=CampaignFactory(provider=orgs["other_provider"]),
        enrollment=enrollment,
        membership=membership,
        link=link,
        order=line.order,
        commission=commission_for(line),
        assortment=assortment,
        livestream=livestream,
        slot=LineupSlot.objects.create(livestream=livestream, enrollment=enrollment, position=1),
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
        storefront_domain=StorefrontDomain.objects.create(
            merchant=orgs["merchant"], domain="shop.example.com"
        ),
        order_import=OrderImport.objects.create(merchant=orgs["merchant"], content=""),
        notification=Notification.objects.create(
            organisation=orgs["merchant"], kind="test", message="For merchant A only"
        ),
        payout=a_payout(orgs["buyer"]),
        settlement=SettlementRun.objects.create(as_of=timezone.localdate()),
    )


def denial(owners: frozenset[str], caller: str) -> tuple[int, ...]:
    """Another organisation of a role that may do this: 404, never a hint that the object
    exists. A role that may not do it at all: 403 (role refused) or 404 (scoped away)."""
    if caller not in owners and any(ROLE_OF[owner] == ROLE_OF[caller] for owner in owners):
        return (404,)
    return (403, 404)


def asking(caller: str) -> str:
    return f"{ROLE_OF[caller]} ({caller})"


MATRIX = [
    pytest.param(case, caller, id=f"{case.id}-{caller}") for case in CASES for caller in CALLERS
]


@pytest.mark.parametrize(("case", "caller"), MATRIX)
def test_detail_resource_answers_only_its_organisations(world, case, caller):
    url = "/api/v1/" + case.url.format(**world)
    api = MemberClient().as_member(world.users[caller])

    status = api.get(url).status_code

    expected = (200,) if caller in case.readers else denial(case.readers, caller)
    assert status in expected, f"{asking(caller)} GET {url}: {status}, expected {expected}"


PREFIX_OF = {basename: prefix for prefix, _viewset, basename in router.registry}


def write_url(write: Write, pk: int) -> str:
    # Built by hand: reverse() would find the portal's page of the same name ("campaign-detail").
    action = f"{write.action}/" if write.action else ""
    return f"/api/v1/{PREFIX_OF[write.resource]}/{pk}/{action}"


def write_body(world: World, write: Write, url: str) -> dict:
    def formatted(value):
        if isinstance(value, str):
            return value.format(**world)
        if isinstance(value, list):
            return [formatted(item) for item in value]
        return value

    body = {key: formatted(value) for key, value in write.body.items()}
    if write.method == "put":  # a whole, valid representation, as its owner would send it
        owner = sorted(write.actors)[0]
        body = MemberClient().as_member(world.users[owner]).get(url).json() | body
    return body


WRITE_MATRIX = [
    pytest.param(write, caller, id=f"{write.id}-{caller}")
    for write in WRITES
    for caller in CALLERS
    if caller not in write.actors
]


@pytest.mark.parametrize(("write", "caller"), WRITE_MATRIX)
def test_nobody_else_changes_a_detail_resource(world, write, caller):
    target = world[CASE_OF[write.resource].obj]
    url = write_url(write, target.pk)
    body = write_body(world, write, url)
    api = MemberClient().as_member(world.users[caller])
    before, tables = model_to_dict(target), census()

    status = getattr(api, write.method)(url, body, format="json").status_code

    expected = denial(write.actors, caller)
    request = f"{asking(caller)} {write.method.upper()} {url}"
    assert status in expected, f"{request}: {status}, expected {expected}"
    target.refresh_from_db()
    assert model_to_dict(target) == before, f"{request}: {status} but changed it"
    assert census() == tables, f"{request}: {status} but changed a table"


def router_detail_routes() -> set[str]:
    """Every (resource, method, action) the router serves on one object."""
    found = set()
    for _prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            if not route.detail:
                continue
            for method, handler in route.mapping.items():
                if not hasattr(viewset, handler):
                    continue
                action = getattr(getattr(viewset, handler), "url_path", "")
                found.add(f"{basename}-{method}-{action or 'detail'}")
    return found


def test_every_detail_route_has_a_case():
    covered = {f"{case.id}-get-detail" for case in CASES} | {write.id for write in WRITES}

    missing = router_detail_routes() - covered

    assert not missing, f"detail routes without a permission case: {sorted(missing)}"


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


# -- portal pages of one object --------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A portal page of one of the world's objects: ``url_name`` with ``kwargs`` (formatted
    with the world: "{slot.pk}", or a literal such as a sample action), opened (GET) or posted
    to by ``users``; string values of ``body`` are formatted with the world too."""

    url_name: str
    obj: str
    users: frozenset[str]
    method: str = "get"
    kwargs: dict = field(default_factory=dict)
    body: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        literals = [value for value in self.kwargs.values() if "{" not in value]
        return "-".join([self.url_name, self.method, *literals])

    def url(self, world: World) -> str:
        kwargs = {"pk": f"{{{self.obj}.pk}}", **self.kwargs}
        return reverse(self.url_name, kwargs={k: v.format(**world) for k, v in kwargs.items()})

    def data(self, world: World) -> dict:
        return {k: v.format(**world) if isinstance(v, str) else v for k, v in self.body.items()}


def post_page(url_name: str, obj: str, users: frozenset[str], **body) -> Page:
    return Page(url_name, obj, users, "post", body=body)


SAMPLE_SIDES = {
    "approve": who("merchant", "provider"),
    "reject": who("merchant", "provider"),
    "ship": who("merchant"),
    "receive": who("buyer"),
    "fulfil": who("buyer"),
    "extend": who("buyer"),
    "withdraw": who("buyer"),
}
MERCHANT, PROVIDER, BUYER = who("merchant"), who("provider"), who("buyer")
ITEM = {"enrollment_id": "{enrollment.pk}"}

OBJECT_PAGES = [
    post_page("invitation-revoke", "invitation", MERCHANT),
    Page("merchant-product-edit", "product", MERCHANT),
    post_page("merchant-product-edit", "product", MERCHANT, title="Hijacked"),
    post_page("merchant-product-archive", "product", MERCHANT),
    post_page("merchant-storefront-domain-remove", "storefront_domain", MERCHANT),
    Page("merchant-product-import-progress", "product_import", MERCHANT),
    Page("merchant-product-import-status", "product_import", MERCHANT),
    Page("orders:import-progress", "order_import", MERCHANT),
    Page("orders:import-status", "order_import", MERCHANT),
    Page("campaign-detail", "campaign", CAMPAIGN_READERS),
    Page("campaign-edit", "campaign", PROVIDER),
    post_page("campaign-edit", "campaign", PROVIDER, name="Hijacked"),
    post_page("campaign-open", "campaign", PROVIDER),
    post_page("campaign-close", "campaign", PROVIDER),
    post_page("enrollment-approve", "enrollment", PROVIDER),
    post_page("enrollment-reject", "enrollment", PROVIDER, reason="other", reason_text="No"),
    post_page("enrollment-terminate", "enrollment", PROVIDER, reason_text="No"),
    post_page("enrollment-withdraw", "enrollment", MERCHANT),
    Page("enrollment-reoffer", "enrollment", PROVIDER),
    post_page(
        "enrollment-reoffer",
        "enrollment",
        PROVIDER,
        campaign="{second_campaign.pk}",
        service_fee_rate="0.0500",
    ),
    Page("enrollment-rate-history", "enrollment", who("merchant", "provider")),
    post_page("change-request-accept", "change_request", PROVIDER),
    post_page("change-request-reject", "change_request", PROVIDER, reason="No"),
    post_page("roster:accept", "membership", BUYER),
    post_page("roster:end", "membership", who("provider", "buyer")),
    Page("assortments:detail", "assortment", who("provider", "buyer")),
    post_page("assortments:edit", "assortment", PROVIDER, name="Hijacked"),
    post_page("assortments:buyers", "assortment", PROVIDER),
    post_page("assortments:delete", "assortment", PROVIDER),
    post_page("assortments:reorder", "assortment", PROVIDER, enrollments="{enrollment.pk}"),
    post_page("assortments:add-item", "assortment", PROVIDER, enrollment="{enrollment.pk}"),
    Page("assortments:enrollment-options", "assortment", PROVIDER),
    Page("assortments:note", "assortment", PROVIDER, "post", ITEM, {"note": "Hijacked"}),
    Page("assortments:move", "assortment", PROVIDER, "post", ITEM, {"direction": "down"}),
    Page("assortments:remove", "assortment", PROVIDER, "post", ITEM),
    post_page("proposals:accept", "proposal", BUYER),
    post_page("proposals:decline", "proposal", BUYER),
    post_page("proposals:withdraw", "proposal", PROVIDER),
    *[
        Page(
            "sample-action",
            "sample",
            sides,
            "post",
            {"action": action},
            {"carrier": "SF", "tracking_number": "SF1", "reason": "No"},
        )
        for action, sides in SAMPLE_SIDES.items()
    ],
    Page("livestream", "livestream", BUYER),
    post_page("lineup-build", "livestream", BUYER, slots=3, new_share=0),
    post_page("lineup-reorder", "livestream", BUYER, slots="{slot.pk}"),
    Page("lineup-slot", "livestream", BUYER, "post", {"slot_id": "{slot.pk}"}, {"remove": "1"}),
    *[
        Page("livestream-move", "livestream", BUYER, "post", {"action": action})
        for action in ("confirm", "go-live", "end")
    ],
    post_page("lineup-generate-links", "livestream", BUYER),
    post_page("lineup-copy", "livestream", BUYER, title="Copied", scheduled_at="2026-12-01T20:00"),
    Page("link-qr", "link", OWNERS),
    Page("settlements:status", "settlement", NOBODY),
]


def portal_member(world: World, caller: str) -> Client:
    client = Client()
    client.force_login(world.users[caller])
    return client


def portal_denial(page: Page, url: str, caller: str) -> tuple[int, ...]:
    """As ``denial``; and a caller whose role the page admits but whose side of this object may
    not do it (a buyer posting "ship" on its own sample request) is turned back by the service
    with a message: a redirect is fine then, as long as nothing changed."""
    expected = denial(page.users, caller)
    view = getattr(resolve(url).func, "view_class", None)
    roles = getattr(view, "allowed_roles", None)
    if expected != (404,) and page.method == "post" and (roles is None or ROLE_OF[caller] in roles):
        return (*expected, 302)
    return expected


PAGE_MATRIX = [
    pytest.param(page, caller, id=f"{page.id}-{caller}")
    for page in OBJECT_PAGES
    for caller in CALLERS
    if caller not in page.users
]


@pytest.mark.parametrize(("page", "caller"), PAGE_MATRIX)
def test_nobody_else_opens_or_changes_a_portal_object_page(world, page, caller):
    target = world[page.obj]
    url = page.url(world)
    before, tables = model_to_dict(target), census()

    response = getattr(portal_member(world, caller), page.method)(url, page.data(world))

    expected = portal_denial(page, url, caller)
    request = f"{asking(caller)} {page.method.upper()} {url}"
    assert response.status_code in expected, f"{request}: {response.status_code}, {expected}"
    target.refresh_from_db()
    assert model_to_dict(target) == before, f"{request}: {response.status_code} but changed it"
    assert census() == tables, f"{request}: {response.status_code} but changed a table"


@pytest.mark.parametrize(
    "page", [page for page in OBJECT_PAGES if page.method == "get"], ids=lambda page: page.id
)
def test_an_object_page_opens_for_its_users(world, page):
    """The other side of the test above: the page is real, so its 404s are not a wrong URL."""
    if page.users:
        client = portal_member(world, sorted(page.users)[0])
    else:
        client = Client()
        client.force_login(OperatorFactory())

    response = client.get(page.url(world))

    assert response.status_code == 200, f"GET {page.url(world)}: {response.status_code}"


@pytest.mark.parametrize(
    ("page", "mine"),
    [
        (Page("lineup-slot", "livestream", BUYER, "post", {"slot_id": "{slot.pk}"}), "livestream"),
        (Page("assortments:note", "assortment", PROVIDER, "post", ITEM), "assortment"),
        (Page("assortments:move", "assortment", PROVIDER, "post", ITEM), "assortment"),
        (Page("assortments:remove", "assortment", PROVIDER, "post", ITEM), "assortment"),
    ],
    ids=lambda value: value.url_name if isinstance(value, Page) else value,
)
def test_a_child_of_another_organisation_is_not_reached_through_ones_own_parent(world, page, mine):
    """The other buyer (provider) names its own livestream (assortment) and our slot (item)."""
    caller = f"other_{ROLE_OF[sorted(page.users)[0]]}"
    own = World(world)
    if mine == "livestream":
        own[mine] = Livestream.objects.create(
            buyer=world.orgs[caller], title="Theirs", scheduled_at=timezone.now() + timedelta(1)
        )
    else:
        own[mine] = Assortment.objects.create(provider=world.orgs[caller], name="Theirs")
    url = page.url(own)
    child = world.slot if mine == "livestream" else AssortmentItem.objects.get()
    before, tables = model_to_dict(child), census()

    response = portal_member(world, caller).post(url, {"remove": "1", "note": "Hijacked"})

    assert response.status_code in (302, 404), f"{caller} POST {url}: {response.status_code}"
    child.refresh_from_db()
    assert model_to_dict(child) == before
    assert census() == tables


IGNORED = ("api/", "admin/", "accounts/")  # the API has its own cases; Django's and allauth's


def portal_object_routes(resolver=None, namespace: str = "", prefix: str = "") -> set[str]:
    """The names of every portal route with an object id in it."""
    resolver = resolver or get_resolver()
    found = set()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found |= portal_object_routes(pattern, inner, route)
        elif isinstance(pattern, URLPattern) and "<int:" in route and not route.startswith(IGNORED):
            found.add(namespace + pattern.name)
    return found


def test_every_portal_object_page_has_a_case():
    missing = portal_object_routes() - {page.url_name for page in OBJECT_PAGES}

    assert not missing, f"portal pages of one object without a permission case: {missing}"


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


def test_a_forged_forwarded_header_does_not_lift_the_token_limit(merchant):
    """Without a proxy of ours, X-Forwarded-For is the client's own text: each attempt naming
    another address must still count against the one real address."""
    api = MemberClient()
    for n in range(10):
        api.post(
            "/api/v1/auth/token/",
            {"username": merchant.username, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    response = api.post(
        "/api/v1/auth/token/",
        {"username": merchant.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )

    assert response.status_code == 429, f"token after 10 forged addresses: {response.status_code}"


# -- ids beyond the primary key's range ----------------------------------------------------

TOO_BIG = 2**63  # one past the largest BigAutoField id
TOO_BIG_MESSAGE = f"Ensure this value is less than or equal to {TOO_BIG - 1}."
TERMS = {"commission_rate": "0.2500", "service_fee_rate": "0.1000", "campaign_price": "150.00",
         "promotion_stock": 10}  # fmt: skip
OVERFLOWS = [
    ("provider", "roster/", {"buyer": TOO_BIG}, "buyer"),
    ("merchant", "enrollments/", {"campaign": TOO_BIG, "product": "{product.pk}", **TERMS},
     "campaign"),
    ("merchant", "enrollments/", {"campaign": "{campaign.pk}", "product": TOO_BIG, **TERMS},
     "product"),
    ("provider", "enrollments/{enrollment.pk}/reoffer/",
     {"campaign": TOO_BIG, "service_fee_rate": "0.0500"}, "campaign"),
    ("provider", "match-proposals/", {"buyer": TOO_BIG, "enrollments": ["{enrollment.pk}"]},
     "buyer"),
    ("merchant", "change-requests/", {"enrollment": TOO_BIG, "kind": "cancellation"},
     "enrollment"),
    ("buyer", "links/", {"enrollment": TOO_BIG}, "enrollment"),
    ("buyer", "sample-requests/", {"enrollment": TOO_BIG}, "enrollment"),
    ("other_buyer", "sample-requests/", {"enrollment": "{enrollment.pk}", "livestream": TOO_BIG},
     "livestream"),
    (OPERATOR, "payouts/", {"organisation": TOO_BIG, "amount": "1.00"}, "organisation"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("caller", "url", "body", "field_name"),
    OVERFLOWS,
    ids=[f"{url}{name}" for _, url, _, name in OVERFLOWS],
)
def test_an_id_beyond_the_primary_keys_range_is_a_400_on_its_field(
    world, caller, url, body, field_name
):
    api = MemberClient()
    if caller == OPERATOR:
        api.force_authenticate(OperatorFactory())
    else:
        api.as_member(world.users[caller])
    api.raise_request_exception = False  # a server error must show as the 500 it would be
    data = {k: v.format(**world) if isinstance(v, str) else v for k, v in body.items()}
    data = {
        k: [i.format(**world) for i in v] if isinstance(v, list) else v for k, v in data.items()
    }
    tables = census()

    response = api.post(f"/api/v1/{url.format(**world)}", data, format="json")

    assert response.status_code == 400, response.content[:300]
    assert response.json() == {field_name: [TOO_BIG_MESSAGE]}
    assert census() == tables


@pytest.mark.parametrize(
    ("caller", "url", "name"),
    [("provider", "api-recommendations", "buyer"),
     ("merchant", "api-recommendations-buyers", "enrollment")],
)  # fmt: skip
def test_an_id_beyond_the_range_in_a_query_is_a_400_on_its_field(world, caller, url, name):
    api = MemberClient().as_member(world.users[caller])

    response = api.get(reverse(url), {name: TOO_BIG})

    assert response.status_code == 400, response.content[:300]
    assert response.json() == {name: [TOO_BIG_MESSAGE]}
