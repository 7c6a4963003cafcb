"""`/api/v1/enrollments/`: a merchant enrolls its products; the rules and who sees what."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from accounts.models import Role
from matchmaking.models import Enrollment
from merchants.models import MerchantProfile
from tests.factories import CampaignFactory, EnrollmentFactory, ProductFactory, category

pytestmark = pytest.mark.django_db

URL = "/api/v1/enrollments/"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


@pytest.fixture
def campaign(provider):
    """Open, registration 1-12 March, promotion 3 March - 2 April, womens-clothing."""
    row = CampaignFactory(provider=provider.organisation)
    row.categories.set([category("womens-clothing")])
    return row


@pytest.fixture
def product(merchant):
    return ProductFactory(merchant=merchant.organisation, category=category("dresses"))


def payload(campaign, product, **overrides) -> dict:
    data = {
        "campaign": campaign.pk,
        "product": product.pk,
        "commission_rate": "0.2000",
        "service_fee_rate": "0.1000",
        "campaign_price": "159.00",
        "promotion_stock": 200,
    }
    data.update(overrides)
    return data


def enroll(api, merchant, campaign, product, **overrides):
    return api.as_member(merchant).post(URL, payload(campaign, product, **overrides), format="json")


def test_a_merchant_enrolls_its_product_as_pending(api, merchant, campaign, product):
    response = enroll(api, merchant, campaign, product, min_followers=1000)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {
        "id": body["id"],
        "campaign": campaign.pk,
        "product": product.pk,
        "commission_rate": "0.2000",
        "service_fee_rate": "0.1000",
        "campaign_price": "159.00",
        "promotion_stock": 200,
        "min_followers": 1000,
        "auto_approve_samples": False,
        "status": "pending",
        "reason": "",
        "reason_text": "",
        "parent": None,
    }
    assert Enrollment.objects.get().created_by == merchant


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"commission_rate": "0.1900"}, "commission_rate",
         "The commission rate must be at least 20 % in this campaign."),
        ({"commission_rate": "0.8100", "service_fee_rate": "0.1000"}, "commission_rate",
         "The commission rate can be at most 80 %."),
        ({"commission_rate": "0.6000", "service_fee_rate": "0.3100"}, "commission_rate",
         "Commission and service fee together can be at most 90 %."),
        ({"service_fee_rate": "0.0900"}, "service_fee_rate",
         "The service-fee rate must be at least 10 % in this campaign."),
        # the enrollment's own fee is held to the campaign's 40 % cap (issue 14.7)
        ({"commission_rate": "0.2000", "service_fee_rate": "0.4500"}, "service_fee_rate",
         "The service-fee rate can be at most 40 %."),
        ({"promotion_stock": 501}, "promotion_stock",
         "The promotion stock can be at most the product's stock (500)."),
        ({"promotion_stock": -1}, "promotion_stock", "Stock cannot be negative."),
        ({"campaign_price": "0.00"}, "campaign_price", "Give a campaign price above 0."),
        ({"campaign_price": "199.01"}, "campaign_price",
         "The campaign price can be at most the product's price (199.00)."),
    ],
)  # fmt: skip
def test_it_refuses_each_broken_rule_with_a_field_message(
    api, merchant, campaign, product, overrides, field, message
):
    response = enroll(api, merchant, campaign, product, **overrides)

    assert response.status_code == 400
    assert message in response.json()[field]
    assert not Enrollment.objects.exists()


def test_it_accepts_the_limits_exactly(api, merchant, campaign, product):
    response = enroll(
        api, merchant, campaign, product,
        commission_rate="0.8000", service_fee_rate="0.1000",
        promotion_stock=500, campaign_price="199.00",
    )  # fmt: skip

    assert response.status_code == 201, response.json()


def test_a_product_outside_the_campaign_categories_is_refused(api, merchant, campaign):
    kitchen = ProductFactory(merchant=merchant.organisation, category=category("kitchen"))

    response = enroll(api, merchant, campaign, kitchen)

    assert response.status_code == 400
    assert response.json()["product"] == [
        "The product's category (kitchen) is not one of this campaign's categories."
    ]


def test_a_parent_category_does_not_fit_a_campaign_of_its_child(api, merchant, provider):
    dresses_only = CampaignFactory(provider=provider.organisation)
    dresses_only.categories.set([category("dresses")])
    clothing = ProductFactory(merchant=merchant.organisation, category=category("womens-clothing"))
    dress = ProductFactory(merchant=merchant.organisation, category=category("dresses"))

    assert enroll(api, merchant, dresses_only, clothing).status_code == 400
    assert enroll(api, merchant, dresses_only, dress).status_code == 201


def test_a_campaign_without_categories_takes_any_product(api, merchant, provider):
    anything = CampaignFactory(provider=provider.organisation)
    kitchen = ProductFactory(merchant=merchant.organisation, category=category("kitchen"))

    assert enroll(api, merchant, anything, kitchen).status_code == 201


@pytest.mark.parametrize(
    ("rating", "minimum", "created"),
    [(None, "4.80", True), (None, "4.81", False), ("4.50", "4.50", True), ("4.49", "4.50", False)],
)
def test_the_merchant_rating_threshold(api, merchant, campaign, product, rating, minimum, created):
    if rating is not None:
        MerchantProfile.objects.create(organisation=merchant.organisation, rating=rating)
    campaign.min_merchant_rating = Decimal(minimum)
    campaign.save()

    response = enroll(api, merchant, campaign, product)

    assert response.status_code == (201 if created else 400)
    if not created:
        shown = rating or "4.80"
        assert response.json()["campaign"] == [
            f"This campaign asks for a store rating of at least {minimum}; yours is {shown}."
        ]


def test_only_one_live_enrollment_per_product_and_campaign(api, merchant, campaign, product):
    assert enroll(api, merchant, campaign, product).status_code == 201

    response = enroll(api, merchant, campaign, product)

    assert response.status_code == 400
    assert response.json()["product"] == [
        f"{product.sku} is already enrolled in this campaign (pending or approved)."
    ]
    Enrollment.objects.update(status="withdrawn")
    assert enroll(api, merchant, campaign, product).status_code == 201


def test_it_refuses_a_product_of_another_merchant_like_a_missing_one(
    api, merchant, member_factory, campaign
):
    theirs = ProductFactory(merchant=member_factory(Role.MERCHANT).organisation)

    for product_id in (theirs.pk, 999999):
        response = api.as_member(merchant).post(
            URL, {**payload(campaign, theirs), "product": product_id}, format="json"
        )
        assert response.status_code == 400
        assert response.json() == {"product": ["Choose one of your active products."]}


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_it_refuses_a_product_that_is_not_active(api, merchant, campaign, product, status):
    product.status = status
    product.save()

    response = enroll(api, merchant, campaign, product)

    assert response.json() == {"product": ["Choose one of your active products."]}


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_it_refuses_a_campaign_not_open(api, merchant, campaign, product, status):
    campaign.status = status
    campaign.save()

    response = enroll(api, merchant, campaign, product)

    assert response.status_code == 400
    assert response.json() == {"campaign": ["Choose a campaign that is open for registration."]}


@pytest.mark.parametrize(
    ("start", "end", "created"),
    [
        (date(2026, 3, 2), date(2026, 3, 2), True),  # inclusive on both ends
        (date(2026, 3, 3), date(2026, 3, 5), False),
        (date(2026, 2, 20), date(2026, 3, 1), False),
    ],
)
def test_the_registration_window_must_be_running(
    api, merchant, campaign, product, start, end, created
):
    campaign.registration_start, campaign.registration_end = start, end
    campaign.save()

    response = enroll(api, merchant, campaign, product)

    assert response.status_code == (201 if created else 400)
    if not created:
        assert response.json() == {
            "campaign": [f"Registration for this campaign runs from {start} to {end}."]
        }


def test_registration_that_runs_into_the_promotion_still_takes_enrollments(
    api, merchant, provider, product
):
    ongoing = CampaignFactory(
        provider=provider.organisation,
        promotion_start=date(2026, 3, 1),
        registration_end=date(2026, 3, 5),
        status="open",
    )

    assert enroll(api, merchant, ongoing, product).status_code == 201


def test_a_campaign_past_its_promotion_takes_no_enrollment_before_the_beat(
    api, merchant, provider, product
):
    ended = CampaignFactory(
        provider=provider.organisation,
        registration_start=date(2026, 2, 1),
        registration_end=date(2026, 3, 1),
        promotion_start=date(2026, 2, 2),
        promotion_end=date(2026, 3, 1),
        status="ongoing",
    )

    response = enroll(api, merchant, ended, product)

    assert response.json() == {"campaign": ["Choose a campaign that is open for registration."]}


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.BUYER])
def test_only_merchants_create_enrollments(api, member_factory, campaign, product, role):
    response = enroll(api, member_factory(role), campaign, product)

    assert response.status_code == 403
    assert not Enrollment.objects.exists()


def test_buyers_cannot_read_enrollments(api, buyer, campaign):
    enrollment = EnrollmentFactory(campaign=campaign)
    client = api.as_member(buyer)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{enrollment.pk}/").status_code == 403


def test_the_merchant_and_the_provider_see_it_other_orgs_get_404(
    api, merchant, provider, member_factory, campaign, product
):
    enrollment = EnrollmentFactory(campaign=campaign, product=product)
    EnrollmentFactory()  # someone else's

    for insider in (merchant, provider):
        client = api.as_member(insider)
        assert client.get(f"{URL}{enrollment.pk}/").status_code == 200
        assert [row["id"] for row in client.get(URL).json()["results"]] == [enrollment.pk]
    for role in (Role.MERCHANT, Role.PROVIDER):
        outsider = api.as_member(member_factory(role))
        assert outsider.get(f"{URL}{enrollment.pk}/").status_code == 404
        for verb in ("approve", "reject", "terminate", "withdraw", "reoffer"):
            assert outsider.post(f"{URL}{enrollment.pk}/{verb}/").status_code == 404
        assert outsider.get(URL).json()["count"] == 0


def test_listing_enrollments_takes_a_bounded_number_of_queries(
    api, merchant, provider, campaign, django_assert_max_num_queries
):
    for _ in range(15):
        EnrollmentFactory(campaign=campaign, product=ProductFactory(merchant=merchant.organisation))
    for member in (merchant, provider):
        client = api.as_member(member)
        with django_assert_max_num_queries(5):
            body = client.get(URL, {"status": "pending"}).json()
        assert body["count"] == 15
