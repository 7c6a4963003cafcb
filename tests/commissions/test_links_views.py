"""The buyer's Links page, a link from a catalogue card, and the QR download."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commissions.models import AffiliateLink, Click
from tests.commissions.links_support import promotable_enrollment
from tests.factories import AffiliateLinkFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def click(link, n, **flags):
    Click.objects.create(
        link=link, click_id=f"{link.code}-{n}", clicked_at=timezone.now(), ip_hash=f"h{n}", **flags
    )


def test_it_lists_the_buyers_links_with_counted_clicks(client, buyer):
    link = AffiliateLinkFactory(buyer=buyer.organisation, enrollment__product__title="Silk scarf")
    expired = AffiliateLinkFactory(
        buyer=buyer.organisation, expires_at=timezone.now() - timedelta(days=1)
    )
    AffiliateLinkFactory(enrollment__product__title="Someone else's")
    click(link, 1)
    click(link, 2)
    click(link, 3, is_bot=True)
    click(link, 4, is_duplicate=True)
    client.force_login(buyer)

    response = client.get("/links/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Silk scarf" in page and "Someone else" not in page
    assert f'data-copy="http://testserver/l/{link.code}"' in page
    assert 'class="link-clicks">2</td>' in page
    assert f"/links/{link.pk}/qr.svg" in page
    assert page.count('class="segno"') == 2
    assert "Expired" in page and f'name="enrollment" value="{expired.enrollment_id}"' in page
    assert 'href="/links/"' in page  # the navigation entry


def test_the_links_page_takes_a_bounded_number_of_queries(
    client, buyer, django_assert_max_num_queries
):
    for _ in range(25):
        click(AffiliateLinkFactory(buyer=buyer.organisation), 1)
    client.force_login(buyer)

    with django_assert_max_num_queries(10):
        response = client.get("/links/")

    assert response.content.decode().count('class="link-clicks">1<') == 25


def test_other_roles_do_not_open_the_links_page(client, merchant, provider):
    for user in (merchant, provider):
        client.force_login(user)
        assert client.get("/links/").status_code == 403


def test_a_catalogue_card_gets_a_link_in_place(client, buyer):
    enrollment = promotable_enrollment(buyer.organisation)
    client.force_login(buyer)
    assert "Get my link" in client.get("/catalogue/").content.decode()

    response = client.post(
        "/links/create/", {"enrollment": enrollment.pk}, headers={"HX-Request": "true"}
    )

    link = AffiliateLink.objects.get()
    page = response.content.decode()
    assert (link.buyer, link.enrollment) == (buyer.organisation, enrollment)
    assert f'value="http://testserver/l/{link.code}"' in page
    assert "<svg" in page and "<html" not in page


def test_without_htmx_it_says_so_and_goes_to_the_links_page(client, buyer):
    enrollment = promotable_enrollment(buyer.organisation)
    client.force_login(buyer)

    response = client.post("/links/create/", {"enrollment": enrollment.pk}, follow=True)

    code = AffiliateLink.objects.get().code
    assert response.redirect_chain[-1][0] == "/links/"
    assert f"Your link is ready: http://testserver/l/{code}" in response.content.decode()


def test_an_item_the_buyer_cannot_promote_gets_a_readable_error(client, buyer):
    stranger = EnrollmentFactory(status="approved")
    client.force_login(buyer)

    response = client.post(
        "/links/create/", {"enrollment": stranger.pk}, headers={"HX-Request": "true"}
    )

    assert "You cannot promote this item." in response.content.decode()
    assert not AffiliateLink.objects.exists()


def test_renewing_an_expired_link_from_the_links_page(client, buyer):
    enrollment = promotable_enrollment(buyer.organisation)
    link = AffiliateLinkFactory(
        buyer=buyer.organisation, enrollment=enrollment, expires_at=timezone.now()
    )
    client.force_login(buyer)

    client.post("/links/create/", {"enrollment": enrollment.pk})

    link.refresh_from_db()
    assert link.expires_at > timezone.now() + timedelta(days=89)


def test_only_buyers_create_links_in_the_portal(client, pending_provider, merchant):
    enrollment = EnrollmentFactory(status="approved")
    for user in (merchant, pending_provider):
        client.force_login(user)
        assert client.post("/links/create/", {"enrollment": enrollment.pk}).status_code == 403
    assert not AffiliateLink.objects.exists()


def test_the_qr_code_downloads_as_svg_for_those_who_see_the_link(client, buyer, member_factory):
    link = AffiliateLinkFactory(buyer=buyer.organisation)
    merchant = UserFactory(organisation=link.enrollment.product.merchant)

    for user in (buyer, merchant):
        client.force_login(user)
        response = client.get(f"/links/{link.pk}/qr.svg")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert b"<svg" in response.content

    client.force_login(member_factory("buyer"))
    assert client.get(f"/links/{link.pk}/qr.svg").status_code == 404
