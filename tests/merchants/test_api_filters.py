from decimal import Decimal

import pytest

from accounts.models import Role
from tests.factories import ProductFactory, category

pytestmark = pytest.mark.django_db

URL = "/api/v1/products/"


@pytest.fixture
def catalogue(merchant):
    org = merchant.organisation
    return {
        "dress": ProductFactory(
            merchant=org, sku="DR-1", title="Linen dress", brand="Yunshang",
            category=category("dresses"), price=Decimal("199.00"), stock=0, status="active",
        ),
        "top": ProductFactory(
            merchant=org, sku="TP-1", title="Silk top", brand="Hangzhou Silk",
            category=category("tops"), price=Decimal("89.00"), stock=5, status="draft",
        ),
        "coat": ProductFactory(
            merchant=org, sku="WC-1", title="Wool coat", brand="Yunshang",
            category=category("womens-clothing"), price=Decimal("599.00"), stock=10,
            status="active",
        ),
        "pan": ProductFactory(
            merchant=org, sku="KT-9", title="Iron pan", brand="Zhangqiu",
            category=category("kitchen"), price=Decimal("129.00"), stock=300, status="archived",
        ),
    }  # fmt: skip


def skus(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["sku"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "linen"}, ["DR-1"]),
        ({"search": "yunshang"}, ["DR-1", "WC-1"]),
        ({"search": "kt-9"}, ["KT-9"]),
        ({"search": "yunshang coat"}, ["WC-1"]),
        ({"category": "womens-clothing"}, ["DR-1", "TP-1", "WC-1"]),
        ({"category": "dresses"}, ["DR-1"]),
        ({"category": "home"}, ["KT-9"]),
        ({"status": "active"}, ["DR-1", "WC-1"]),
        ({"status": "archived"}, ["KT-9"]),
        ({"stock": "out"}, ["DR-1"]),
        ({"stock": "in"}, ["KT-9", "TP-1", "WC-1"]),
        ({"stock": "low"}, ["TP-1", "WC-1"]),
        ({"min_stock": "10"}, ["KT-9", "WC-1"]),
        ({"category": "womens-clothing", "stock": "low", "status": "active"}, ["WC-1"]),
    ],
)
def test_it_filters_and_searches(api, merchant, catalogue, params, expected):
    found = skus(api.as_member(merchant).get(URL, {**params, "ordering": "sku"}))

    assert found == expected


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("price", ["TP-1", "KT-9", "DR-1", "WC-1"]),
        ("-price", ["WC-1", "DR-1", "KT-9", "TP-1"]),
        ("-stock", ["KT-9", "WC-1", "TP-1", "DR-1"]),
        ("title", ["KT-9", "DR-1", "TP-1", "WC-1"]),
        ("-updated_at", ["KT-9", "WC-1", "TP-1", "DR-1"]),
        ("stock,-price", ["DR-1", "TP-1", "WC-1", "KT-9"]),
    ],
)
def test_it_orders_the_list(api, merchant, catalogue, ordering, expected):
    assert skus(api.as_member(merchant).get(URL, {"ordering": ordering})) == expected


def test_the_default_order_is_most_recently_updated_first(api, merchant, catalogue):
    catalogue["top"].title = "Silk top, new colour"
    catalogue["top"].save()

    assert skus(api.as_member(merchant).get(URL))[0] == "TP-1"


def test_bad_filter_values_answer_400_naming_the_parameter(api, merchant, catalogue):
    client = api.as_member(merchant)

    unknown = client.get(URL, {"category": "socks"})
    stock = client.get(URL, {"stock": "plenty"})
    ordering = client.get(URL, {"ordering": "merchant"})

    assert unknown.status_code == 400
    assert unknown.json() == {"category": ['Unknown category "socks".']}
    assert stock.status_code == 400
    assert set(stock.json()) == {"stock"}
    assert ordering.status_code == 400
    assert set(ordering.json()) == {"ordering"}


def test_filters_never_reach_another_merchants_products(api, merchant, catalogue, member_factory):
    other = member_factory(Role.MERCHANT)
    ProductFactory(merchant=other.organisation, sku="DR-OTHER", title="Linen dress")

    assert skus(api.as_member(merchant).get(URL, {"search": "linen"})) == ["DR-1"]
    assert skus(api.as_member(other).get(URL, {"search": "linen"})) == ["DR-OTHER"]


def test_the_category_tree_for_any_signed_in_user(api, buyer):
    response = api.as_member(buyer).get("/api/v1/categories/")

    assert response.status_code == 200
    tree = response.json()
    roots = [node["slug"] for node in tree]
    assert roots[:5] == ["womens-clothing", "home", "jewelry", "bags", "accessories"]
    clothing = tree[0]
    assert clothing["name"] == "Women's clothing"
    assert clothing["parent"] is None
    assert [child["slug"] for child in clothing["children"]] == ["dresses", "tops", "knitwear"]
    assert clothing["children"][0] == {
        "slug": "dresses", "name": "Dresses", "parent": "womens-clothing", "children": [],
    }  # fmt: skip


def test_category_names_follow_the_request_language(api, provider, django_assert_max_num_queries):
    client = api.as_member(provider)

    with django_assert_max_num_queries(3):
        tree = client.get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert tree[0]["name"] == "女装"
    assert tree[0]["children"][0]["name"] == "连衣裙"
