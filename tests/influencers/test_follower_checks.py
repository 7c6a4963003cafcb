"""Declared facts are not trusted: rules count only follower counts someone else verified.

A buyer's own ``followers`` is a claim. A service provider with the buyer on its active roster,
or an operator, records the verified figure with a note or an evidence URL; min_followers and
auto-approval read that figure only, and a merchant deciding by hand sees the claim marked.
"""

import pytest
from django.test import Client

from accounts.models import Role
from commissions.models import Commission, LedgerTransaction
from core.models import Notification
from influencers.models import BuyerProfile, FollowerVerification, SampleRequest
from merchants.models import Product
from tests.factories import OperatorFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db

EVIDENCE = "https://www.douyin.com/user/xiaolu"


def verify(api, user, buyer_org, followers, **body):
    body = {"followers": followers, "evidence_url": EVIDENCE, **body}
    return api.as_member(user).post(
        f"/api/v1/buyers/{buyer_org.pk}/verify-followers/", body, format="json"
    )


def claim(api, buyer, followers):
    return api.as_member(buyer).patch("/api/v1/profile/", {"followers": followers}, format="json")


def ask(api, buyer, enrollment):
    return api.as_member(buyer).post(
        "/api/v1/sample-requests/", {"enrollment": enrollment.pk}, format="json"
    )


def sample_stock(enrollment) -> int:
    return Product.objects.get(pk=enrollment.product_id).sample_stock


@pytest.fixture
def gated(reachable):
    """An item asking for 50,000 followers, with samples approved automatically."""
    reachable.min_followers = 50000
    reachable.auto_approve_samples = True
    reachable.save()
    return reachable


# -- the rules count the verified figure ----------------------------------------------------


def test_it_refuses_a_buyer_who_raises_its_own_claim(api, buyer, gated):
    verify(api, gated.provider_user, buyer.organisation, 12000)
    claim(api, buyer, 12000)
    refused = ask(api, buyer, gated)
    assert refused.status_code == 400

    assert claim(api, buyer, 80000).status_code == 200
    response = ask(api, buyer, gated)

    assert response.status_code == 400
    assert response.json() == {
        "enrollment": [
            "This item asks for at least 50,000 verified followers; 12,000 are verified "
            "(you claim 80,000, and an unverified claim does not count)."
        ]
    }
    assert not SampleRequest.objects.exists()
    assert sample_stock(gated) == 2


def test_a_buyer_with_nothing_verified_counts_zero_followers(api, buyer, gated):
    claim(api, buyer, 80000)

    response = ask(api, buyer, gated)

    assert response.json() == {
        "enrollment": [
            "This item asks for at least 50,000 verified followers; 0 are verified "
            "(you claim 80,000, and an unverified claim does not count)."
        ]
    }
    assert not SampleRequest.objects.exists()


def test_a_verified_figure_above_the_threshold_is_auto_approved(api, buyer, gated):
    verify(api, gated.provider_user, buyer.organisation, 60000)

    response = ask(api, buyer, gated)

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["auto_approved"]) == ("approved", True)
    assert sample_stock(gated) == 1


def test_the_latest_verification_is_the_one_that_counts(api, buyer, gated, operator):
    verify(api, gated.provider_user, buyer.organisation, 60000)
    verify(api, operator, buyer.organisation, 20000, note="Account audit: bought followers")

    response = ask(api, buyer, gated)

    assert "20,000 are verified" in response.json()["enrollment"][0]
    history = FollowerVerification.objects.filter(buyer=buyer.organisation)
    assert list(history.values_list("followers", "verifier_role")) == [
        (20000, "operator"),
        (60000, "provider"),
    ]


def test_a_buyer_changing_its_claim_never_changes_the_verified_figure(api, buyer, reachable):
    verify(api, reachable.provider_user, buyer.organisation, 12000)

    api.as_member(buyer).patch(
        "/api/v1/profile/",
        {"followers": 80000, "followers_verified": 999999, "followers_verified_by": "operator"},
        format="json",
    )

    body = api.as_member(buyer).get("/api/v1/profile/").json()
    assert (body["followers"], body["followers_verified"]) == (80000, 12000)
    assert body["followers_verified_by"] == "provider"
    assert body["followers_verified_at"] is not None
    assert FollowerVerification.objects.count() == 1


def test_the_buyers_own_profile_form_cannot_touch_the_verified_figure(client, buyer, reachable):
    client.force_login(buyer)

    client.post(
        "/profile/",
        {
            "handle": "xiaolu", "platform": "douyin", "followers": "80000",
            "price_band_min": "10", "price_band_max": "99", "typical_units_per_livestream": "50",
            "audience_notes": "", "follower_verification": "1", "followers_verified": "999999",
        },
    )  # fmt: skip

    profile = BuyerProfile.objects.get(organisation=buyer.organisation)
    assert (profile.followers, profile.followers_verified) == (80000, 0)
    page = client.get("/profile/").content.decode()
    assert "No verified followers" in page
    assert "claims 80,000" in page


# -- who may verify --------------------------------------------------------------------------


def test_a_roster_provider_verifies_and_the_buyer_is_told(api, buyer, reachable):
    response = verify(api, reachable.provider_user, buyer.organisation, 60000, note="Screenshot")

    assert response.status_code == 201
    body = response.json()
    body.pop("verified_at")
    assert body == {
        "id": FollowerVerification.objects.get().pk,
        "buyer": buyer.organisation.pk,
        "followers": 60000,
        "followers_claimed": 0,
        "note": "Screenshot",
        "evidence_url": EVIDENCE,
        "verified_by": "provider",
    }
    verification = FollowerVerification.objects.get()
    assert verification.verified_by == reachable.provider_user
    assert verification.verifier_organisation == reachable.campaign.provider
    notice = Notification.objects.get(organisation=buyer.organisation)
    assert notice.message == "A service provider verified your follower count: 60,000."


def test_an_operator_verifies_any_buyer(api, buyer, operator):
    response = verify(api, operator, buyer.organisation, 30000)

    assert response.status_code == 201
    assert response.json()["verified_by"] == "operator"
    assert FollowerVerification.objects.get().verifier_organisation is None


@pytest.mark.parametrize("membership", [None, "invited", "ended"])
def test_a_provider_without_the_buyer_on_its_active_roster_finds_nothing(
    api, buyer, provider, membership
):
    if membership:
        RosterMembershipFactory(
            provider=provider.organisation, buyer=buyer.organisation, status=membership
        )

    response = verify(api, provider, buyer.organisation, 60000)

    assert response.status_code == 404
    assert not FollowerVerification.objects.exists()


@pytest.mark.parametrize("caller", ["merchant", "buyer", "other_buyer"])
def test_merchants_and_buyers_cannot_verify(api, buyer, merchant, member_factory, caller):
    user = {"merchant": merchant, "buyer": buyer, "other_buyer": member_factory(Role.BUYER)}

    response = verify(api, user[caller], buyer.organisation, 60000)

    assert response.status_code == 403
    assert not FollowerVerification.objects.exists()


def test_a_pending_provider_cannot_verify_even_its_roster(api, buyer, pending_provider):
    RosterMembershipFactory(provider=pending_provider.organisation, buyer=buyer.organisation)

    response = verify(api, pending_provider, buyer.organisation, 60000)

    assert response.status_code == 403
    assert not FollowerVerification.objects.exists()


def test_anonymous_callers_cannot_verify(api, buyer):
    response = api.post(
        f"/api/v1/buyers/{buyer.organisation.pk}/verify-followers/",
        {"followers": 1, "note": "x"},
        format="json",
    )

    assert response.status_code in (401, 403)
    assert not FollowerVerification.objects.exists()


@pytest.mark.parametrize("target", ["merchant", "missing", "huge"])
def test_only_buyers_are_verified(api, operator, merchant, target):
    pk = {"merchant": merchant.organisation_id, "missing": 999999, "huge": 2**70}[target]

    response = api.as_member(operator).post(
        f"/api/v1/buyers/{pk}/verify-followers/", {"followers": 1, "note": "x"}, format="json"
    )

    assert response.status_code == 404


# -- what the verifier must say --------------------------------------------------------------


def test_the_verifier_says_how_it_checked(api, buyer, reachable):
    response = verify(api, reachable.provider_user, buyer.organisation, 60000, evidence_url="")

    assert response.status_code == 400
    assert response.json() == {
        "note": ["Say how you checked the figure: a note, an evidence URL, or both."]
    }
    assert not FollowerVerification.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "ftp://files.example.com/followers.png",
        "douyin.com/user/xiaolu",
        "https://admin:secret@example.com/",
        "data:text/html,<script>alert(1)</script>",
        "https://",
    ],
)
def test_the_evidence_url_is_a_web_address(api, buyer, reachable, url):
    response = verify(api, reachable.provider_user, buyer.organisation, 60000, evidence_url=url)

    assert response.status_code == 400
    assert response.json() == {
        "evidence_url": [
            "The evidence URL must be a web address starting with http:// or https://."
        ]
    }
    assert not FollowerVerification.objects.exists()


@pytest.mark.parametrize("followers", [-1, "many", None, 2**31])
def test_the_verified_figure_is_a_whole_number_in_range(api, buyer, reachable, followers):
    response = verify(api, reachable.provider_user, buyer.organisation, followers)

    assert response.status_code == 400
    assert "followers" in response.json()
    assert not FollowerVerification.objects.exists()


def test_verifying_moves_no_money_stock_or_sample(api, buyer, reachable):
    sample = SampleRequest.objects.create(
        buyer=buyer.organisation, enrollment=reachable, approve_by="2030-01-01T00:00:00Z"
    )
    before = (
        sample_stock(reachable),
        LedgerTransaction.objects.count(),
        Commission.objects.count(),
        list(SampleRequest.objects.values_list("pk", "status", "unit_reserved")),
    )

    verify(api, reachable.provider_user, buyer.organisation, 60000)

    after = (
        sample_stock(reachable),
        LedgerTransaction.objects.count(),
        Commission.objects.count(),
        list(SampleRequest.objects.values_list("pk", "status", "unit_reserved")),
    )
    assert after == before
    assert SampleRequest.objects.get(pk=sample.pk).status == "requested"


# -- what a merchant deciding by hand sees ---------------------------------------------------


def requested_sample(buyer, enrollment):
    return SampleRequest.objects.create(
        buyer=buyer.organisation, enrollment=enrollment, approve_by="2030-01-01T00:00:00Z"
    )


def test_the_merchant_sees_the_claim_marked_unverified_in_the_api(api, buyer, reachable):
    verify(api, reachable.provider_user, buyer.organisation, 12000)
    claim(api, buyer, 80000)
    sample = requested_sample(buyer, reachable)

    body = api.as_member(reachable.merchant_user).get(f"/api/v1/sample-requests/{sample.pk}/")

    summary = body.json()["buyer"]
    assert summary["followers_verified_at"].endswith("+08:00")
    summary.pop("followers_verified_at")
    assert summary == {
        "id": buyer.organisation.pk,
        "name": buyer.organisation.name,
        "handle": "",
        "platform": "douyin",
        "followers": 80000,
        "followers_claimed": 80000,
        "followers_verified": 12000,
        "followers_verified_by": "provider",
        "followers_unverified": True,
        "fulfilment_rate": None,
    }


def test_a_buyer_never_verified_is_marked_in_the_api_list(api, buyer, reachable):
    claim(api, buyer, 80000)
    requested_sample(buyer, reachable)

    rows = api.as_member(reachable.merchant_user).get("/api/v1/sample-requests/").json()

    summary = rows["results"][0]["buyer"]
    assert (summary["followers_verified"], summary["followers_verified_at"]) == (0, None)
    assert (summary["followers_verified_by"], summary["followers_unverified"]) == (None, True)


def test_the_merchant_queue_marks_an_unverified_claim(api, client, buyer, reachable):
    verify(api, reachable.provider_user, buyer.organisation, 12000)
    claim(api, buyer, 80000)
    requested_sample(buyer, reachable)
    client.force_login(reachable.merchant_user)

    page = client.get("/samples/").content.decode()

    assert "12,000 verified followers" in page
    assert "verified by a service provider on" in page
    assert "unverified" in page
    assert "claims 80,000" in page


def test_the_merchant_queue_says_when_nothing_is_verified(api, client, buyer, reachable):
    claim(api, buyer, 80000)
    requested_sample(buyer, reachable)
    client.force_login(reachable.merchant_user)

    page = client.get("/samples/").content.decode()

    assert "No verified followers" in page
    assert "claims 80,000" in page


def test_a_claim_that_matches_the_verified_figure_is_not_marked(api, client, buyer, reachable):
    claim(api, buyer, 60000)
    verify(api, reachable.provider_user, buyer.organisation, 60000)
    requested_sample(buyer, reachable)
    client.force_login(reachable.merchant_user)

    page = client.get("/samples/").content.decode()

    assert "60,000 verified followers" in page
    assert "unverified" not in page


# -- the provider's page and the operator's admin ---------------------------------------------


def test_a_provider_verifies_from_its_roster_page(client, buyer, reachable):
    client.force_login(reachable.provider_user)
    assert "No verified followers" in client.get("/roster/followers/").content.decode()

    response = client.post(
        "/roster/followers/",
        {"buyer": buyer.organisation.pk, "followers": "60000", "note": "Checked the live room"},
        follow=True,
    )

    page = response.content.decode()
    assert f"{buyer.organisation.name}: 60,000 followers verified." in page
    assert "60,000 verified followers" in page
    assert FollowerVerification.objects.get().note == "Checked the live room"


def test_the_roster_page_shows_a_bad_evidence_url_and_stores_nothing(client, buyer, reachable):
    client.force_login(reachable.provider_user)

    response = client.post(
        "/roster/followers/",
        {"buyer": buyer.organisation.pk, "followers": "60000", "evidence_url": "javascript:x"},
    )

    assert response.status_code == 200
    assert "must be a web address starting with http:// or https://" in response.content.decode()
    assert not FollowerVerification.objects.exists()


def test_the_roster_page_does_not_reach_another_providers_buyer(client, provider, member_factory):
    stranger = member_factory(Role.BUYER)
    client.force_login(provider)

    response = client.post(
        "/roster/followers/", {"buyer": stranger.organisation.pk, "followers": "1", "note": "x"}
    )

    assert response.status_code == 404
    assert not FollowerVerification.objects.exists()


@pytest.mark.parametrize("role", [Role.MERCHANT, Role.BUYER])
def test_the_roster_page_is_for_providers(client, member_factory, role):
    client.force_login(member_factory(role))

    assert client.get("/roster/followers/").status_code == 403


def test_a_pending_provider_cannot_post_on_the_roster_page(client, buyer, pending_provider):
    RosterMembershipFactory(provider=pending_provider.organisation, buyer=buyer.organisation)
    client.force_login(pending_provider)

    response = client.post(
        "/roster/followers/", {"buyer": buyer.organisation.pk, "followers": "1", "note": "x"}
    )

    assert response.status_code == 403
    assert not FollowerVerification.objects.exists()


def test_an_operator_verifies_in_the_admin(buyer):
    operator = OperatorFactory()
    admin = Client()
    admin.force_login(operator)
    url = "/admin/influencers/followerverification/add/"

    buyer_id = buyer.organisation.pk
    refused = admin.post(url, {"buyer": buyer_id, "followers": "5", "evidence_url": "ftp://x.y/"})
    added = admin.post(url, {"buyer": buyer_id, "followers": "45000", "note": "ID check"})

    assert "must be a web address" in refused.content.decode()
    assert added.status_code == 302
    verification = FollowerVerification.objects.get()
    assert (verification.followers, verification.verifier_role) == (45000, "operator")
    assert verification.verified_by == operator
    assert BuyerProfile.objects.get(organisation=buyer.organisation).followers_verified == 45000
    change = admin.post(
        f"/admin/influencers/followerverification/{verification.pk}/change/",
        {"buyer": buyer.organisation.pk, "followers": "99999999", "note": "edited"},
    )
    assert change.status_code == 403
    verification.refresh_from_db()
    assert verification.followers == 45000
    history = admin.get(f"/admin/influencers/followerverification/{verification.pk}/change/")
    assert "ID check" in history.content.decode()
    profile = BuyerProfile.objects.get(organisation=buyer.organisation)
    profile_page = admin.get(f"/admin/influencers/buyerprofile/{profile.pk}/change/")
    assert "45000 (Platform operator, " in profile_page.content.decode()


def test_the_admin_offers_only_buyers_to_verify(merchant, buyer):
    admin = Client()
    admin.force_login(OperatorFactory())

    page = admin.get("/admin/influencers/followerverification/add/").content.decode()

    assert buyer.organisation.name in page
    assert merchant.organisation.name not in page


def test_the_merchant_reads_the_marks_in_chinese(api, client, buyer, reachable):
    verify(api, reachable.provider_user, buyer.organisation, 12000)
    claim(api, buyer, 80000)
    requested_sample(buyer, reachable)
    client.force_login(reachable.merchant_user)
    client.cookies["django_language"] = "zh-hans"

    page = client.get("/samples/").content.decode()

    assert "已核实粉丝 12000" in page
    assert "由选品服务商于" in page
    assert "未核实" in page
    assert "自报 80000" in page


def test_the_refusal_is_in_the_buyers_language(api, buyer, gated):
    claim(api, buyer, 80000)

    response = api.as_member(buyer).post(
        "/api/v1/sample-requests/",
        {"enrollment": gated.pk},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.json() == {
        "enrollment": [
            "此商品要求至少 50000 个已核实粉丝；你已核实的粉丝数为 0（自报 80000，"
            "未经核实的自报数不计入）。"
        ]
    }
