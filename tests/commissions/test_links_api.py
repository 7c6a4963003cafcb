import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from commissions.models import AffiliateLink
from commissions.services import links as link_service
from tests.commissions.links_support import promotable_enrollment
from tests.factories import AffiliateLinkFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^[A-Za-z0-9]{8,16}$")


@pytest.fixture
def enrollment(buyer):
    return promotable_enrollment(buyer.organisation)


def ask(api, user, enrollment_id):
    return api.as_member(user).post("/api/v1/links/", {"enrollment": enrollment_id}, format="json")


def test_it_creates_the_buyers_link_with_a_short_unguessable_code(api, buyer, enrollment):
    response = ask(api, buyer, enrollment.pk)

    assert response.status_code == 201
    body = response.json()
    link = AffiliateLink.objects.get()
    assert (link.buyer, link.enrollment, link.created_by) == (
        buyer.organisation, enrollment, buyer
    )  # fmt: skip
    assert CODE.match(body["code"]) and len(body["code"]) == 10
    assert body == {
        "id": link.pk,
        "enrollment": enrollment.pk,
        "code": link.code,
        "url": f"http://testserver/l/{link.code}",
        "destination": enrollment.product.storefront_url,
        "expires_at": body["expires_at"],
    }
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)


def test_it_returns_the_same_link_when_asked_again(api, buyer, enrollment):
    first = ask(api, buyer, enrollment.pk).json()

    again = ask(api, buyer, enrollment.pk)

    assert again.status_code == 200
    assert again.json() == first
    assert AffiliateLink.objects.count() == 1


def test_it_renews_an_expired_link_under_the_same_code(api, buyer, enrollment):
    link = AffiliateLinkFactory(
        buyer=buyer.organisation,
        enrollment=enrollment,
        code="OldCode123",
        expires_at=timezone.now() - timedelta(days=1),
    )

    response = ask(api, buyer, enrollment.pk)

    assert response.status_code == 200
    assert response.json()["code"] == "OldCode123"
    link.refresh_from_db()
    assert abs(link.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)


def test_a_live_link_is_not_extended_by_asking_again(api, buyer, enrollment):
    first = ask(api, buyer, enrollment.pk).json()

    with time_machine.travel(timezone.now() + timedelta(days=10)):
        again = ask(api, buyer, enrollment.pk).json()

    assert again["expires_at"] == first["expires_at"]


def test_codes_are_drawn_from_62_characters_and_differ(buyer):
    codes = {link_service.new_code() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(CODE.match(code) for code in codes)
    alphabet = set("".join(codes))
    assert alphabet <= set(link_service.CODE_ALPHABET) and len(alphabet) == 62


def test_a_code_collision_draws_another_code(api, buyer, enrollment, monkeypatch):
    AffiliateLinkFactory(code="TakenCode1")
    draws = iter(["TakenCode1", "FreshCode2"])
    monkeypatch.setattr(link_service, "new_code", lambda: next(draws))

    response = ask(api, buyer, enrollment.pk)

    assert response.status_code == 201
    assert response.json()["code"] == "FreshCode2"


def test_only_enrollments_the_buyer_may_promote(api, buyer, enrollment):
    stranger = EnrollmentFactory(status="approved")  # no roster, no shared assortment

    for enrollment_id in (stranger.pk, 999_999):
        response = ask(api, buyer, enrollment_id)
        assert response.status_code == 400
        assert response.json() == {"enrollment": ["You cannot promote this item."]}
    assert not AffiliateLink.objects.exists()


def not_promotable_now(buyer, change: str):
    """An enrollment the buyer knows (its provider's campaign) that stopped being promotable."""
    enrollment = promotable_enrollment(buyer.organisation)
    product, campaign = enrollment.product, enrollment.campaign
    if change == "terminated":
        enrollment.status = "terminated"
    elif change == "archived":
        product.status = "archived"
    elif change == "sold out":
        product.stock = 0
    elif change == "promotion stock used up":
        enrollment.promotion_stock = 0
    elif change == "campaign not started":
        campaign.promotion_start = timezone.localdate() + timedelta(days=3)
    for row in (enrollment, product, campaign):
        row.save()
    return enrollment


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("terminated", "This item is no longer in the campaign."),
        ("archived", "The merchant has archived this product."),
        ("sold out", "The product is out of stock."),
        ("promotion stock used up", "Its promotion stock is used up."),
        ("campaign not started", "Its campaign is not running today."),
    ],
)
def test_what_is_not_promotable_now_gets_no_link_and_the_buyer_is_told_why(api, buyer, change, why):
    enrollment = not_promotable_now(buyer, change)

    response = ask(api, buyer, enrollment.pk)

    assert response.status_code == 400
    assert response.json() == {"enrollment": [f"You cannot promote this item now: {why}"]}
    assert not AffiliateLink.objects.exists()


def test_the_enrollment_is_required(api, buyer):
    response = api.as_member(buyer).post("/api/v1/links/", {}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["enrollment"]


def test_only_buyers_create_links(api, merchant, provider, pending_provider, enrollment):
    merchant_user = UserFactory(organisation=enrollment.product.merchant)

    for user in (merchant, merchant_user, provider, pending_provider):
        assert ask(api, user, enrollment.pk).status_code == 403
    assert not AffiliateLink.objects.exists()


def test_a_buyer_sees_only_its_links(api, buyer, member_factory):
    mine = AffiliateLinkFactory(buyer=buyer.organisation)
    theirs = AffiliateLinkFactory()
    other_buyer = member_factory("buyer")

    listed = api.as_member(buyer).get("/api/v1/links/").json()

    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert api.as_member(buyer).get(f"/api/v1/links/{theirs.pk}/").status_code == 404
    assert api.as_member(other_buyer).get(f"/api/v1/links/{mine.pk}/").status_code == 404


def test_merchant_and_provider_of_the_item_read_its_links(api, buyer, member_factory):
    link = AffiliateLinkFactory(buyer=buyer.organisation)
    merchant = UserFactory(organisation=link.enrollment.product.merchant)
    provider = UserFactory(organisation=link.enrollment.campaign.provider)
    outsider_merchant = member_factory("merchant")

    for user in (merchant, provider):
        body = api.as_member(user).get(f"/api/v1/links/{link.pk}/").json()
        assert body["code"] == link.code
        assert [r["id"] for r in api.as_member(user).get("/api/v1/links/").json()["results"]] == [
            link.pk
        ]
    assert api.as_member(outsider_merchant).get(f"/api/v1/links/{link.pk}/").status_code == 404
    assert api.as_member(merchant).delete(f"/api/v1/links/{link.pk}/").status_code in (403, 405)
    assert api.as_member(merchant).patch(f"/api/v1/links/{link.pk}/", {}).status_code in (403, 405)


def test_the_list_takes_a_bounded_number_of_queries(api, buyer, django_assert_max_num_queries):
    for _ in range(30):
        AffiliateLinkFactory(buyer=buyer.organisation)
    client = api.as_member(buyer)

    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/links/")

    assert response.json()["count"] == 30


def test_the_list_filters_by_enrollment(api, buyer):
    link = AffiliateLinkFactory(buyer=buyer.organisation)
    AffiliateLinkFactory(buyer=buyer.organisation)

    body = api.as_member(buyer).get("/api/v1/links/", {"enrollment": link.enrollment_id}).json()

    assert [row["id"] for row in body["results"]] == [link.pk]
