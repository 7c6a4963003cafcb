import re

import pytest
from django.urls import reverse

from accounts.models import Role
from matchmaking.models import Assortment, AssortmentItem
from tests.factories import EnrollmentFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def approved(provider, title=None, **kwargs):
    if title:
        kwargs["product__title"] = title
    return EnrollmentFactory(status="approved", campaign__provider=provider.organisation, **kwargs)


def make_assortment(provider, enrollments=(), buyers=(), name="Autumn picks"):
    assortment = Assortment.objects.create(provider=provider.organisation, name=name)
    assortment.buyers.set(buyers)
    for position, enrollment in enumerate(enrollments, start=1):
        AssortmentItem.objects.create(
            assortment=assortment, enrollment=enrollment, position=position, note=f"n{position}"
        )
    return assortment


def order_of(assortment):
    return list(assortment.items.order_by("position").values_list("enrollment_id", flat=True))


def shown_order(html):
    """The enrollments in the order the list shows them."""
    return [int(pk) for pk in re.findall(r'name="enrollments" value="(\d+)"', html)]


def url(name, assortment, *args):
    return reverse(f"assortments:{name}", args=[assortment.pk, *args])


@pytest.fixture
def three(provider):
    a = approved(provider, "Alpha dress")
    b = approved(provider, "Beta scarf")
    c = approved(provider, "Gamma coat")
    return a, b, c


class TestProviderPages:
    def test_the_list_shows_assortments_with_counts_and_a_form(self, client, provider, three):
        make_assortment(provider, three, name="Autumn picks")
        client.force_login(provider)

        html = client.get(reverse("assortments:index")).content.decode()

        assert "Autumn picks" in html
        assert "<td>3</td>" in html
        assert 'name="name"' in html

    def test_creating_an_assortment_opens_it(self, client, provider):
        client.force_login(provider)

        response = client.post(reverse("assortments:index"), {"name": "Winter", "description": ""})

        assortment = Assortment.objects.get()
        assert response.status_code == 302
        assert response.url == url("detail", assortment)
        assert assortment.provider == provider.organisation

    def test_a_blank_name_shows_the_error(self, client, provider):
        client.force_login(provider)

        response = client.post(reverse("assortments:index"), {"name": ""})

        assert "This field is required." in response.content.decode()
        assert not Assortment.objects.exists()

    def test_the_detail_page_is_sortable_with_a_keyboard_fallback(self, client, provider, three):
        assortment = make_assortment(provider, three)
        client.force_login(provider)

        html = client.get(url("detail", assortment)).content.decode()

        assert shown_order(html) == [e.pk for e in three]
        assert 'hx-trigger="end"' in html
        assert f'hx-post="{url("reorder", assortment)}"' in html
        assert "/static/vendor/Sortable.min.js" in html
        assert "/static/js/assortment-reorder.js" in html
        assert "//cdn" not in html and "https://" not in html
        assert html.count('class="drag-handle"') == 3
        assert f'id="move-up-{three[1].pk}"' in html
        assert 'aria-label="Move Beta scarf down"' in html

    def test_the_reorder_endpoint_answers_the_list_in_its_new_order(self, client, provider, three):
        a, b, c = three
        assortment = make_assortment(provider, three)
        client.force_login(provider)

        response = client.post(
            url("reorder", assortment), {"enrollments": [c.pk, a.pk, b.pk]}, **HTMX
        )

        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert shown_order(html) == [c.pk, a.pk, b.pk]
        assert order_of(assortment) == [c.pk, a.pk, b.pk]
        positions = re.findall(r'<span class="position">(\d+)</span>', html)
        assert positions == ["1", "2", "3"]

    def test_a_reorder_that_is_not_exactly_the_set_changes_nothing(self, client, provider, three):
        a, b, c = three
        assortment = make_assortment(provider, three)
        client.force_login(provider)

        response = client.post(url("reorder", assortment), {"enrollments": [c.pk, a.pk]}, **HTMX)

        html = response.content.decode()
        assert "Send every enrollment of the assortment exactly once." in html
        assert shown_order(html) == [a.pk, b.pk, c.pk]
        assert order_of(assortment) == [a.pk, b.pk, c.pk]

    def test_the_arrow_buttons_move_an_item(self, client, provider, three):
        a, b, c = three
        assortment = make_assortment(provider, three)
        client.force_login(provider)

        up = client.post(url("move", assortment, c.pk), {"direction": "up"}, **HTMX)
        down = client.post(url("move", assortment, a.pk), {"direction": "down"})

        assert shown_order(up.content.decode()) == [a.pk, c.pk, b.pk]
        assert down.status_code == 302
        assert order_of(assortment) == [c.pk, a.pk, b.pk]

    def test_moving_the_first_item_up_keeps_the_order(self, client, provider, three):
        assortment = make_assortment(provider, three)
        client.force_login(provider)

        client.post(url("move", assortment, three[0].pk), {"direction": "up"}, **HTMX)

        assert order_of(assortment) == [e.pk for e in three]

    def test_adding_an_approved_enrollment_appends_it(self, client, provider, three):
        a, b, c = three
        assortment = make_assortment(provider, [a, b])
        client.force_login(provider)

        response = client.post(
            url("add-item", assortment), {"enrollment": c.pk, "note": "New in"}, **HTMX
        )

        html = response.content.decode()
        assert shown_order(html) == [a.pk, b.pk, c.pk]
        assert "Item added." in html
        assert assortment.items.get(enrollment=c).note == "New in"

    @pytest.mark.parametrize("case", ["pending", "other provider", "duplicate", "blank"])
    def test_adding_a_wrong_enrollment_shows_why(self, client, provider, member_factory, case):
        first = approved(provider)
        assortment = make_assortment(provider, [first])
        enrollment = {
            "pending": lambda: EnrollmentFactory(campaign__provider=provider.organisation).pk,
            "other provider": lambda: approved(member_factory(Role.PROVIDER)).pk,
            "duplicate": lambda: first.pk,
            "blank": lambda: "",
        }[case]()
        client.force_login(provider)

        html = client.post(
            url("add-item", assortment), {"enrollment": enrollment}, **HTMX
        ).content.decode()

        message = {
            "pending": "Choose an approved enrollment of one of your campaigns.",
            "other provider": "Choose an approved enrollment of one of your campaigns.",
            "duplicate": "This enrollment is already in the assortment.",
            "blank": "Choose an enrollment to add.",
        }[case]
        assert message in html
        assert order_of(assortment) == [first.pk]

    def test_editing_a_note_inline(self, client, provider, three):
        assortment = make_assortment(provider, three)
        client.force_login(provider)

        response = client.post(url("note", assortment, three[1].pk), {"note": "Hero"}, **HTMX)

        assert 'value="Hero"' in response.content.decode()
        assert assortment.items.get(enrollment=three[1]).note == "Hero"

    def test_removing_an_item_closes_the_gap(self, client, provider, three):
        a, b, c = three
        assortment = make_assortment(provider, three)
        client.force_login(provider)

        client.post(url("remove", assortment, a.pk), **HTMX)

        assert list(
            assortment.items.order_by("position").values_list("enrollment", "position")
        ) == [
            (b.pk, 1),
            (c.pk, 2),
        ]

    def test_the_enrollment_options_are_searchable_and_leave_out_what_is_in(
        self, client, provider, three, member_factory
    ):
        a, b, c = three
        assortment = make_assortment(provider, [a])
        EnrollmentFactory(campaign__provider=provider.organisation, product__title="Beta pending")
        approved(member_factory(Role.PROVIDER), "Beta elsewhere")
        client.force_login(provider)

        every = client.get(url("enrollment-options", assortment)).content.decode()
        beta = client.get(url("enrollment-options", assortment), {"q": "beta"}).content.decode()

        assert f'value="{a.pk}"' not in every
        assert f'value="{b.pk}"' in every and f'value="{c.pk}"' in every
        assert "pending" not in every and "elsewhere" not in every
        assert f'value="{b.pk}"' in beta and f'value="{c.pk}"' not in beta

    def test_sharing_with_active_roster_buyers(self, client, provider):
        active = RosterMembershipFactory(provider=provider.organisation, buyer__name="Luna").buyer
        invited = RosterMembershipFactory(
            provider=provider.organisation, buyer__name="Sunny", status="invited"
        ).buyer
        assortment = make_assortment(provider)
        client.force_login(provider)

        page = client.get(url("detail", assortment)).content.decode()
        client.post(url("buyers", assortment), {"buyers": [active.pk]})
        refused = client.post(url("buyers", assortment), {"buyers": [invited.pk]}, follow=True)

        assert "Luna" in page and "Sunny" not in page
        assert list(assortment.buyers.all()) == [active]
        assert "Choose buyers from your active roster." in refused.content.decode()

    def test_renaming_and_deleting(self, client, provider):
        assortment = make_assortment(provider)
        client.force_login(provider)

        client.post(url("edit", assortment), {"name": "Winter", "description": "Warm"})
        assortment.refresh_from_db()
        deleted = client.post(url("delete", assortment))

        assert (assortment.name, assortment.description) == ("Winter", "Warm")
        assert deleted.status_code == 302
        assert not Assortment.objects.exists()

    def test_the_detail_page_runs_a_bounded_number_of_queries(
        self, client, provider, django_assert_max_num_queries
    ):
        buyers = [RosterMembershipFactory(provider=provider.organisation).buyer for _ in range(5)]
        enrollments = [approved(provider) for _ in range(25)]
        assortment = make_assortment(provider, enrollments[:20], buyers=buyers)
        client.force_login(provider)

        with django_assert_max_num_queries(14):
            response = client.get(url("detail", assortment))

        assert len(shown_order(response.content.decode())) == 20

    def test_the_list_page_runs_a_bounded_number_of_queries(
        self, client, provider, django_assert_max_num_queries
    ):
        for index in range(12):
            make_assortment(provider, [approved(provider)], name=f"A{index}")
        client.force_login(provider)

        with django_assert_max_num_queries(8):
            response = client.get(reverse("assortments:index"))

        assert response.content.decode().count(">A") >= 12


class TestBuyerPages:
    def test_a_buyer_reads_what_is_shared_with_it(self, client, buyer, provider, three):
        RosterMembershipFactory(provider=provider.organisation, buyer=buyer.organisation)
        assortment = make_assortment(provider, three, buyers=[buyer.organisation])
        make_assortment(provider, three, name="Not for you")
        client.force_login(buyer)

        listing = client.get(reverse("assortments:index")).content.decode()
        detail = client.get(url("detail", assortment)).content.decode()

        assert "Autumn picks" in listing and "Not for you" not in listing
        assert provider.organisation.name in listing
        assert detail.index("Alpha dress") < detail.index("Beta scarf") < detail.index("Gamma coat")
        assert "n2" in detail
        assert "<form" not in detail.split("<main")[1]
        assert "Sortable" not in detail

    def test_a_buyer_gets_404_for_what_is_not_shared_and_403_for_writes(
        self, client, buyer, provider, three
    ):
        shared = make_assortment(provider, three, buyers=[buyer.organisation])
        private = make_assortment(provider, three, name="Private")
        client.force_login(buyer)

        assert client.get(url("detail", private)).status_code == 404
        ids = [three[2].pk, three[1].pk, three[0].pk]
        assert client.post(url("reorder", shared), {"enrollments": ids}).status_code == 403
        assert client.post(url("delete", shared)).status_code == 403
        assert client.post(reverse("assortments:index"), {"name": "Mine"}).status_code == 302
        assert order_of(shared) == [e.pk for e in three]
        assert Assortment.objects.count() == 2


def test_another_provider_gets_404_everywhere(client, provider, member_factory, three):
    assortment = make_assortment(provider, three)
    client.force_login(member_factory(Role.PROVIDER))
    ids = [e.pk for e in three]

    assert client.get(url("detail", assortment)).status_code == 404
    assert client.post(url("reorder", assortment), {"enrollments": ids}).status_code == 404
    assert client.post(url("add-item", assortment), {"enrollment": ids[0]}).status_code == 404
    assert client.post(url("note", assortment, ids[0]), {"note": "x"}).status_code == 404
    assert client.post(url("move", assortment, ids[0]), {"direction": "down"}).status_code == 404
    assert client.post(url("remove", assortment, ids[0])).status_code == 404
    assert client.post(url("delete", assortment)).status_code == 404
    assert client.get(url("enrollment-options", assortment)).status_code == 404
    assert order_of(assortment) == ids


def test_a_merchant_gets_403(client, merchant, provider):
    assortment = make_assortment(provider)
    client.force_login(merchant)

    assert client.get(reverse("assortments:index")).status_code == 403
    assert client.get(url("detail", assortment)).status_code == 403


def test_a_pending_provider_reads_but_cannot_write(client, pending_provider):
    assortment = make_assortment(pending_provider)
    client.force_login(pending_provider)

    page = client.get(url("detail", assortment))
    created = client.post(reverse("assortments:index"), {"name": "Winter"})

    assert page.status_code == 200
    assert "drag-handle" not in page.content.decode()
    assert created.status_code == 403
    assert Assortment.objects.count() == 1
