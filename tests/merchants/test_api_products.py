from decimal import Decimal

import pytest

from accounts.models import Organisation, Role
from merchants.models import Product
from tests.factories import ProductFactory, category

pytestmark = pytest.mark.django_db

URL = "/api/v1/products/"


def payload(**overrides) -> dict:
    data = {
        "sku": "DRESS-001",
        "title": "Linen midi dress",
        "category": "dresses",
        "brand": "Yunshang",
        "price": "199.00",
        "stock": 120,
        "sample_stock": 5,
        "storefront_url": "https://shop.example.com/item/1",
        "image_url": "https://img.example.com/1.jpg",
        "status": "active",
    }
    data.update(overrides)
    return data


def test_it_creates_a_product_with_the_contract_fields(api, merchant):
    response = api.as_member(merchant).post(URL, payload(price="199"), format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id", "sku", "title", "category", "brand", "price", "stock", "sample_stock",
        "storefront_url", "image_url", "status",
    }  # fmt: skip
    assert body["price"] == "199.00"
    assert body["category"] == "dresses"
    product = Product.objects.get(pk=body["id"])
    assert product.merchant == merchant.organisation
    assert product.price == Decimal("199.00")


def test_a_new_product_is_a_draft_unless_told(api, merchant):
    data = payload()
    del data["status"], data["brand"], data["image_url"]

    body = api.as_member(merchant).post(URL, data, format="json").json()

    assert body["status"] == "draft"
    assert body["brand"] == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stock", -1, "Stock cannot be negative."),
        ("sample_stock", -3, "Sample stock cannot be negative."),
        ("price", "0", "The price must be greater than 0."),
        ("price", "-5.00", "The price must be greater than 0."),
        ("price", "12.345", "Ensure that there are no more than 2 decimal places."),
        ("category", "socks", 'Unknown category "socks".'),
        ("status", "sold", '"sold" is not a valid choice.'),
        ("storefront_url", "shop.example", "Enter a valid URL."),
        ("title", "", "This field may not be blank."),
    ],
)
def test_it_refuses_each_bad_value_with_a_field_message(api, merchant, field, value, message):
    response = api.as_member(merchant).post(URL, payload(**{field: value}), format="json")

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Product.objects.exists()


def test_it_reports_every_bad_field_at_once(api, merchant):
    data = payload(stock=-1, sample_stock=-1, price="0", category="socks")

    response = api.as_member(merchant).post(URL, data, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"stock", "sample_stock", "price", "category"}


def test_a_sku_is_unique_per_merchant(api, merchant, member_factory):
    ProductFactory(merchant=merchant.organisation, sku="DRESS-001")
    other = member_factory(Role.MERCHANT)

    mine = api.as_member(merchant).post(URL, payload(), format="json")
    theirs = api.as_member(other).post(URL, payload(), format="json")

    assert mine.status_code == 400
    assert mine.json() == {"sku": ["A product with this SKU already exists."]}
    assert theirs.status_code == 201


def test_it_updates_a_product_and_checks_the_same_rules(api, merchant):
    product = ProductFactory(merchant=merchant.organisation, sku="A-1", stock=3)
    ProductFactory(merchant=merchant.organisation, sku="B-2")
    client = api.as_member(merchant)

    ok = client.patch(f"{URL}{product.pk}/", {"stock": 40, "sku": "A-1"}, format="json")
    taken = client.patch(f"{URL}{product.pk}/", {"sku": "B-2"}, format="json")
    negative = client.patch(f"{URL}{product.pk}/", {"sample_stock": -1}, format="json")

    assert ok.status_code == 200
    assert ok.json()["stock"] == 40
    assert taken.json() == {"sku": ["A product with this SKU already exists."]}
    assert negative.json() == {"sample_stock": ["Sample stock cannot be negative."]}
    product.refresh_from_db()
    assert (product.sku, product.stock, product.sample_stock) == ("A-1", 40, 5)


def test_a_full_update_replaces_every_field(api, merchant):
    product = ProductFactory(merchant=merchant.organisation)

    response = api.as_member(merchant).put(
        f"{URL}{product.pk}/", payload(category="home", price="18.50"), format="json"
    )

    assert response.status_code == 200
    product.refresh_from_db()
    assert product.category.slug == "home"
    assert product.price == Decimal("18.50")


def test_archive_moves_to_archived_once(api, merchant):
    product = ProductFactory(merchant=merchant.organisation, status="active")
    client = api.as_member(merchant)

    first = client.post(f"{URL}{product.pk}/archive/")
    second = client.post(f"{URL}{product.pk}/archive/")

    assert first.status_code == 200
    assert first.json()["status"] == "archived"
    assert second.status_code == 409
    assert second.json() == {"detail": "This product is already archived."}


def test_delete_archives_and_never_removes(api, merchant):
    product = ProductFactory(merchant=merchant.organisation, status="active")
    client = api.as_member(merchant)

    first = client.delete(f"{URL}{product.pk}/")
    again = client.delete(f"{URL}{product.pk}/")

    assert first.status_code == 204
    assert again.status_code == 204
    assert client.get(f"{URL}{product.pk}/").json()["status"] == "archived"
    assert Product.objects.filter(pk=product.pk).exists()


def test_another_merchant_gets_404_for_everything(api, merchant, member_factory):
    product = ProductFactory(merchant=merchant.organisation, status="active", stock=9)
    client = api.as_member(member_factory(Role.MERCHANT))

    assert client.get(f"{URL}{product.pk}/").status_code == 404
    assert client.patch(f"{URL}{product.pk}/", {"stock": 0}, format="json").status_code == 404
    assert client.put(f"{URL}{product.pk}/", payload(), format="json").status_code == 404
    assert client.post(f"{URL}{product.pk}/archive/").status_code == 404
    assert client.delete(f"{URL}{product.pk}/").status_code == 404
    assert client.get(URL).json()["count"] == 0
    product.refresh_from_db()
    assert (product.stock, product.status) == (9, "active")


@pytest.mark.parametrize("role_fixture", ["buyer", "provider", "pending_provider"])
def test_buyers_and_providers_cannot_use_products(api, request, role_fixture, merchant):
    user = request.getfixturevalue(role_fixture)
    product = ProductFactory(merchant=merchant.organisation)
    client = api.as_member(user)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{product.pk}/").status_code == 403
    assert client.post(URL, payload(), format="json").status_code == 403
    assert client.post(f"{URL}{product.pk}/archive/").status_code == 403
    assert client.get(f"{URL}export/").status_code == 403


def test_a_suspended_merchant_reads_but_cannot_write(api, member_factory):
    user = member_factory(Role.MERCHANT, status=Organisation.Status.SUSPENDED)
    product = ProductFactory(merchant=user.organisation)
    client = api.as_member(user)

    assert client.get(URL).status_code == 200
    assert client.post(URL, payload(), format="json").status_code == 403
    assert client.post(f"{URL}{product.pk}/archive/").status_code == 403
    assert client.delete(f"{URL}{product.pk}/").status_code == 403


def test_anonymous_callers_are_refused(api):
    assert api.get(URL).status_code in (401, 403)
    assert api.get("/api/v1/categories/").status_code in (401, 403)


def test_the_list_is_bounded_in_queries(api, merchant, django_assert_max_num_queries):
    for _ in range(30):
        ProductFactory(merchant=merchant.organisation, category=category("dresses"))
    client = api.as_member(merchant)

    with django_assert_max_num_queries(6):
        response = client.get(URL, {"category": "womens-clothing", "page_size": 100})

    assert response.json()["count"] == 30
