"""Portal pages of enrollments: enroll, my enrollments, the review queue, re-offer."""

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from matchmaking.models import Enrollment
from tests.factories import CampaignFactory, EnrollmentFactory, ProductFactory, category

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


@pytest.fixture
def campaign(provider):
    row = CampaignFactory(provider=provider.organisation, name="Spring picks")
    row.categories.set([category("womens-clothing")])
    return row


@pytest.fixture
def product(merchant):
    return ProductFactory(merchant=merchant.organisation)


def enroll_data(campaign, product, **overrides) -> dict:
    data = {
        "campaign": campaign.pk,
        "product": product.pk,
        "commission_rate": "20",
        "service_fee_rate": "10",
        "campaign_price": "159.00",
        "promotion_stock": "100",
        "min_followers": "0",
    }
    data.update(overrides)
    return data


def test_the_enroll_form_preselects_the_campaign_and_its_minimum_rates(
    client, merchant, campaign, product, member_factory
):
    ProductFactory(merchant=member_factory(Role.MERCHANT).organisation, title="Not mine")
    client.force_login(merchant)

    response = client.get(reverse("enrollment-create"), {"campaign": campaign.pk})

    form = response.context["form"]
    assert form.initial["campaign"] == campaign
    assert form["commission_rate"].value() == "20"
    page = response.content.decode()
    assert product.title in page
    assert "Not mine" not in page


def test_the_enroll_form_options_carry_what_the_page_prefills(client, merchant, campaign):
    ProductFactory(merchant=merchant.organisation, sku="COAT-1", price=Decimal("459.00"), stock=37)
    client.force_login(merchant)

    page = client.get(reverse("enrollment-create")).content.decode()

    # static/js/enroll-form.js copies these into the rate, price and stock inputs
    assert 'data-commission-rate="20" data-service-fee-rate="10"' in page
    assert 'data-price="459.00" data-stock="37"' in page
    assert "js/enroll-form.js" in page


def test_a_merchant_enrolls_through_the_portal(client, merchant, campaign, product):
    client.force_login(merchant)

    response = client.post(reverse("enrollment-create"), enroll_data(campaign, product))

    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    assert (enrollment.commission_rate, enrollment.promotion_stock) == (Decimal("0.2000"), 100)
    page = client.get(reverse("enrollments")).content.decode()
    assert "Spring picks" in page and "Pending" in page and "Withdraw" in page


def test_the_enroll_form_shows_the_rules_on_their_fields(client, merchant, campaign, product):
    client.force_login(merchant)

    response = client.post(
        reverse("enrollment-create"),
        enroll_data(campaign, product, commission_rate="15", promotion_stock="9999"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["commission_rate"] == [
        "The commission rate must be at least 20 % in this campaign."
    ]
    assert errors["promotion_stock"] == [
        "The promotion stock can be at most the product's stock (500)."
    ]
    assert not Enrollment.objects.exists()


def test_the_merchant_withdraws_from_my_enrollments(client, merchant, campaign, product):
    enrollment = EnrollmentFactory(campaign=campaign, product=product)
    client.force_login(merchant)

    response = client.post(reverse("enrollment-withdraw", args=[enrollment.pk]), follow=True)

    enrollment.refresh_from_db()
    assert enrollment.status == "withdrawn"
    assert f"{product.sku} withdrawn." in response.content.decode()


def test_the_review_queue_shows_pending_enrollments_of_own_campaigns(
    client, provider, campaign, product
):
    mine = EnrollmentFactory(campaign=campaign, product=product)
    EnrollmentFactory(campaign=campaign, status="approved")
    others = EnrollmentFactory()
    client.force_login(provider)

    response = client.get(reverse("enrollment-review"))

    assert list(response.context["enrollments"]) == [mine]
    page = response.content.decode()
    assert f'value="{mine.pk}" form="bulk-approve"' in page
    assert others.product.sku not in page


def test_bulk_approve_through_htmx_returns_the_queue_with_a_summary(client, provider, campaign):
    good = [EnrollmentFactory(campaign=campaign) for _ in range(2)]
    short = EnrollmentFactory(campaign=campaign, product=ProductFactory(stock=5))
    client.force_login(provider)

    response = client.post(
        reverse("enrollment-bulk-approve"),
        {"ids": [good[0].pk, good[1].pk, short.pk]},
        **HTMX,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert "2 enrollments approved." in page
    assert "The product has 5 in stock, less than the promotion stock of 200." in page
    assert list(response.context["enrollments"]) == [short]
    assert Enrollment.objects.filter(status="approved").count() == 2


def test_per_row_approve_and_reject_with_a_reason(client, provider, campaign):
    first, second = EnrollmentFactory(campaign=campaign), EnrollmentFactory(campaign=campaign)
    client.force_login(provider)

    client.post(reverse("enrollment-approve", args=[first.pk]), **HTMX)
    response = client.post(
        reverse("enrollment-reject", args=[second.pk]),
        {"reason": "price_not_competitive", "reason_text": "Try 149"},
        **HTMX,
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "approved"
    assert (second.status, second.reason, second.reason_text) == (
        "rejected",
        "price_not_competitive",
        "Try 149",
    )
    assert "Nothing to review." in response.content.decode()


def test_rejecting_without_a_reason_says_so(client, provider, campaign):
    enrollment = EnrollmentFactory(campaign=campaign)
    client.force_login(provider)

    response = client.post(reverse("enrollment-reject", args=[enrollment.pk]), {}, **HTMX)

    assert "Choose a reason for the rejection." in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == "pending"


def test_the_provider_terminates_from_the_campaign_page(client, provider, campaign):
    enrollment = EnrollmentFactory(campaign=campaign, status="approved")
    client.force_login(provider)
    detail = reverse("campaign-detail", args=[campaign.pk])

    response = client.post(
        reverse("enrollment-terminate", args=[enrollment.pk]),
        {"reason_text": "Complaints", "next": detail},
    )

    assert response.url == detail
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.reason_text) == ("terminated", "Complaints")


def test_an_outside_next_is_ignored(client, merchant, campaign, product):
    enrollment = EnrollmentFactory(campaign=campaign, product=product)
    client.force_login(merchant)

    response = client.post(
        reverse("enrollment-withdraw", args=[enrollment.pk]), {"next": "https://evil.example/"}
    )

    assert response.url == reverse("enrollments")


def test_p1_reoffers_through_the_portal(client, provider, campaign, member_factory):
    first = EnrollmentFactory(campaign=campaign, status="approved")
    p2 = member_factory(Role.PROVIDER)
    target = CampaignFactory(
        provider=p2.organisation, name="P2 picks", service_fee_rate=Decimal("0.0500")
    )
    client.force_login(provider)
    url = reverse("enrollment-reoffer", args=[first.pk])

    page = client.get(url)
    assert "P2 picks" in page.content.decode()
    assert page.context["form"]["service_fee_rate"].value() == "9"
    too_high = client.post(
        url, {"campaign": target.pk, "service_fee_rate": "9.5", "promotion_stock": "50"}
    )
    response = client.post(
        url, {"campaign": target.pk, "service_fee_rate": "8", "promotion_stock": "50"}
    )

    assert too_high.context["form"].errors["service_fee_rate"] == [
        "A second level's service-fee rate can be at most 9 % (90 % of 10 %)."
    ]
    assert response.status_code == 302
    second = Enrollment.objects.get(parent=first)
    assert (second.campaign, second.service_fee_rate) == (target, Decimal("0.0800"))


def test_other_organisations_get_404_on_enrollment_pages(
    client, merchant, provider, campaign, product, member_factory
):
    enrollment = EnrollmentFactory(campaign=campaign, product=product, status="approved")
    for role in (Role.MERCHANT, Role.PROVIDER):
        client.force_login(member_factory(role))
        for name in ("approve", "reject", "terminate", "withdraw"):
            url = reverse(f"enrollment-{name}", args=[enrollment.pk])
            assert client.post(url).status_code == 404
    client.force_login(member_factory(Role.PROVIDER))
    assert client.get(reverse("enrollment-reoffer", args=[enrollment.pk])).status_code == 404


@pytest.mark.parametrize(
    ("role", "page"),
    [
        (Role.BUYER, "enrollments"),
        (Role.PROVIDER, "enrollments"),
        (Role.PROVIDER, "enrollment-create"),
        (Role.MERCHANT, "enrollment-review"),
        (Role.BUYER, "enrollment-review"),
    ],
)
def test_the_wrong_role_gets_403(client, member_factory, role, page):
    client.force_login(member_factory(role))

    assert client.get(reverse(page)).status_code == 403


def test_a_pending_provider_cannot_bulk_approve(client, pending_provider):
    client.force_login(pending_provider)

    assert client.post(reverse("enrollment-bulk-approve"), {"ids": ["1"]}).status_code == 403


def test_nav_entries_per_role(client, merchant, provider, buyer):
    expectations = {
        merchant: ("My enrollments", "Campaigns"),
        provider: ("Review queue", "Campaigns"),
        buyer: ("Campaigns",),
    }
    for user, labels in expectations.items():
        client.force_login(user)
        page = client.get("/").content.decode()
        for label in labels:
            assert f">{label}</a>" in page


def test_enrollment_pages_take_a_bounded_number_of_queries(
    client, merchant, provider, campaign, django_assert_max_num_queries
):
    for _ in range(12):
        EnrollmentFactory(campaign=campaign, product=ProductFactory(merchant=merchant.organisation))
    client.force_login(provider)
    with django_assert_max_num_queries(10):
        assert len(client.get(reverse("enrollment-review")).context["enrollments"]) == 12
    client.force_login(merchant)
    with django_assert_max_num_queries(10):
        assert len(client.get(reverse("enrollments")).context["enrollments"]) == 12
