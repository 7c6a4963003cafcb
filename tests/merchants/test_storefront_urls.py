"""Links cannot be repointed (issue 14.2): storefront addresses are https to a public host name,
checked on every save and again at the redirect; a merchant's declared domains bound them; and a
move to another host sends approved enrollments back to review while links keep the reviewed
address."""

from urllib.parse import urlsplit

import pytest

from commissions.models import Click
from matchmaking.models import Enrollment
from merchants.models import Product, StorefrontDomain
from merchants.storefront_urls import url_problem
from tests.commissions.links_support import CHROME
from tests.factories import AffiliateLinkFactory, ProductFactory, UserFactory
from tests.merchants.conftest import csv_text, product_row

pytestmark = pytest.mark.django_db

UNSAFE = [
    ("http://169.254.169.254/latest/meta-data/", "Storefront addresses start with https://."),
    ("https://169.254.169.254/latest/meta-data/", "Use the shop's host name, not an IP address."),
    ("https://127.0.0.1/admin/", "Use the shop's host name, not an IP address."),
    ("https://[::1]/", "Use the shop's host name, not an IP address."),
    ("https://10.0.0.8/", "Use the shop's host name, not an IP address."),
    # Django's own URL check refuses these first (numbers are no host name to it either)
    ("https://2130706433/", "Enter a valid URL."),
    ("https://0x7f.1/", "Enter a valid URL."),
    ("https://localhost/", "Use a public host name such as shop.example.com."),
    ("https://shop.localhost/", "Use a public host name: shop.localhost is a local or private"),
    ("https://printer.local/", "Use a public host name: printer.local is a local or private"),
    ("https://db.internal/x", "Use a public host name: db.internal is a local or private name."),
    ("https://evil.example@shop.example.com/",
     "A storefront address cannot carry a user name or password."),
    ("https://shop.example.com:8443/", "A storefront address uses the standard HTTPS port."),
    ("javascript:alert(1)", "Enter a valid URL."),
]  # fmt: skip


@pytest.fixture(autouse=True)
def clicks_written_directly(settings):
    settings.CLICK_BUFFER_URL = ""  # clicks land in the database at once, to be read back


@pytest.fixture
def product(merchant):
    return ProductFactory(
        merchant=merchant.organisation, storefront_url="https://shop.example.com/item/1"
    )


def patch(api, merchant, product, url):
    return api.as_member(merchant).patch(
        f"/api/v1/products/{product.pk}/", {"storefront_url": url}, format="json"
    )


@pytest.mark.parametrize(("url", "message"), UNSAFE)
def test_an_unsafe_storefront_address_is_refused_and_nothing_changes(
    api, merchant, product, url, message
):
    response = patch(api, merchant, product, url)

    assert response.status_code == 400
    assert message in response.json()["storefront_url"][0]
    product.refresh_from_db()
    assert product.storefront_url == "https://shop.example.com/item/1"


@pytest.mark.parametrize(
    "url",
    ["https://shop.example.com/p?id=7#reviews", "https://m.shop.example.com:443/x",
     "https://店铺.example.cn/item", "https://detail.tmall.com/item.htm?id=1"],
)  # fmt: skip
def test_public_https_addresses_are_accepted(api, merchant, product, url):
    assert patch(api, merchant, product, url).status_code == 200


def test_the_csv_import_names_every_unsafe_address_and_imports_nothing(post_csv, merchant):
    rows = [
        product_row(sku="OK-1", storefront_url="https://shop.example.com/ok"),
        product_row(sku="BAD-1", storefront_url="https://127.0.0.1/admin/"),
        product_row(sku="BAD-2", storefront_url="https://user:pw@shop.example.com/"),
    ]

    response = post_csv(merchant, csv_text(rows))

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [
        (3, "storefront_url"), (4, "storefront_url")
    ]  # fmt: skip
    assert not Product.objects.filter(merchant=merchant.organisation).exists()


def test_a_stored_address_that_breaks_the_rules_is_not_followed(client):
    link = AffiliateLinkFactory(enrollment__product__storefront_url="https://shop.example.com/1")
    Product.objects.filter(pk=link.enrollment.product_id).update(
        storefront_url="http://169.254.169.254/latest/meta-data/"  # written before the rule
    )
    Enrollment.objects.filter(pk=link.enrollment_id).update(reviewed_storefront_url="")

    response = client.get(f"/l/{link.code}", headers={"User-Agent": CHROME})

    assert response.status_code == 404
    assert not Click.objects.exists()


# -- declared domains ---------------------------------------------------------------------


DOMAINS = "/api/v1/storefront-domains/"


def test_declared_domains_bound_every_address(api, merchant, product):
    declared = api.as_member(merchant).post(DOMAINS, {"domain": "Shop.Example.com"}, format="json")

    outside = patch(api, merchant, product, "https://other-shop.example.net/item")
    below = patch(api, merchant, product, "https://m.shop.example.com/item")

    assert declared.status_code == 201
    assert declared.json()["domain"] == "shop.example.com"
    assert outside.status_code == 400
    assert outside.json() == {
        "storefront_url": [
            "The address must be on one of your storefront domains: shop.example.com."
        ]
    }
    assert below.status_code == 200


def test_a_declaration_that_would_strand_products_is_refused(api, merchant, product):
    response = api.as_member(merchant).post(DOMAINS, {"domain": "elsewhere.com"}, format="json")

    assert response.status_code == 400
    assert product.sku in response.json()["domain"][0]
    assert not StorefrontDomain.objects.exists()


@pytest.mark.parametrize("domain", ["127.0.0.1", "localhost", "intranet.corp", "not a host"])
def test_only_public_host_names_can_be_declared(api, merchant, domain):
    response = api.as_member(merchant).post(DOMAINS, {"domain": domain}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["domain"]


def test_another_merchant_neither_sees_nor_removes_a_domain(api, merchant, member_factory):
    declared = StorefrontDomain.objects.create(
        merchant=merchant.organisation, domain="shop.example.com"
    )
    other = member_factory(role="merchant")

    listed = api.as_member(other).get(DOMAINS).json()
    removed = api.as_member(other).delete(f"{DOMAINS}{declared.pk}/")

    assert listed["count"] == 0
    assert removed.status_code == 404
    assert StorefrontDomain.objects.filter(pk=declared.pk).exists()


def test_the_merchant_declares_a_domain_in_the_portal(client, merchant, product):
    client.force_login(merchant)

    bad = client.post("/products/domains/", {"domain": "localhost"})
    good = client.post("/products/domains/", {"domain": "shop.example.com"}, follow=True)

    assert bad.status_code == 400
    assert "Use a public host name" in bad.content.decode()
    assert "shop.example.com" in good.content.decode()
    assert StorefrontDomain.objects.get().domain == "shop.example.com"


# -- a move to another host -----------------------------------------------------------------


@pytest.fixture
def promoted(merchant):
    link = AffiliateLinkFactory(
        enrollment__product__merchant=merchant.organisation,
        enrollment__product__storefront_url="https://shop.example.com/item/1",
        enrollment__reviewed_storefront_url="https://shop.example.com/item/1",
    )
    return link


def destination(client, link) -> str:
    response = client.get(f"/l/{link.code}", headers={"User-Agent": CHROME})
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def test_a_move_to_another_host_sends_approved_enrollments_back_to_review(
    api, client, merchant, promoted, django_capture_on_commit_callbacks
):
    product = promoted.enrollment.product
    with django_capture_on_commit_callbacks(execute=True):
        moved = patch(api, merchant, product, "https://new-shop.example.net/item/1")

    assert moved.status_code == 200
    enrollment = Enrollment.objects.get(pk=promoted.enrollment_id)
    assert (enrollment.status, enrollment.reason) == ("pending", "storefront_changed")
    assert "new-shop.example.net" in enrollment.reason_text
    # the shopper still goes where the provider looked, and the click earns nothing meanwhile
    assert destination(client, promoted) == "https://shop.example.com/item/1"
    assert Click.objects.get().not_promotable == "enrollment_ended"
    provider = UserFactory(organisation=enrollment.campaign.provider)
    seen = api.as_member(provider).get(f"/api/v1/enrollments/{enrollment.pk}/").json()
    assert (seen["status"], seen["reason"]) == ("pending", "storefront_changed")

    with django_capture_on_commit_callbacks(execute=True):
        approved = api.as_member(provider).post(f"/api/v1/enrollments/{enrollment.pk}/approve/")

    assert approved.status_code == 200
    assert destination(client, promoted) == "https://new-shop.example.net/item/1"


def test_a_new_page_on_the_same_host_needs_no_review(
    api, client, merchant, promoted, django_capture_on_commit_callbacks
):
    product = promoted.enrollment.product
    with django_capture_on_commit_callbacks(execute=True):
        patch(api, merchant, product, "https://shop.example.com/item/1-v2")

    assert Enrollment.objects.get(pk=promoted.enrollment_id).status == "approved"
    assert destination(client, promoted) == "https://shop.example.com/item/1-v2"


def test_a_csv_import_that_moves_hosts_sends_enrollments_back_to_review(
    post_csv, merchant, promoted, django_capture_on_commit_callbacks
):
    product = promoted.enrollment.product
    row = product_row(sku=product.sku, storefront_url="https://new-shop.example.net/item/1")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_csv(merchant, csv_text([row]))

    assert response.status_code == 200
    assert Enrollment.objects.get(pk=promoted.enrollment_id).status == "pending"


@pytest.mark.parametrize(
    "url", ["https://2130706433/", "https://0x7f.1/", "https://017700000001/", "https://[::1]/"]
)
def test_addresses_in_disguise_are_refused_by_the_rule_itself(url):
    """What the redirect checks again on stored addresses, where no form validated them."""
    assert url_problem(url) == "Use the shop's host name, not an IP address."
