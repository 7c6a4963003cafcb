import pytest

from accounts.models import Role
from matchmaking.models import Assortment, AssortmentItem
from tests.factories import EnrollmentFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/assortments/"
NOT_ELIGIBLE = "Choose an approved enrollment of one of your campaigns."


def approved(provider, **kwargs):
    return EnrollmentFactory(status="approved", campaign__provider=provider.organisation, **kwargs)


def roster_buyer(provider, status="active"):
    return RosterMembershipFactory(provider=provider.organisation, status=status).buyer


def make_assortment(provider, enrollments=(), buyers=(), name="Autumn picks"):
    assortment = Assortment.objects.create(provider=provider.organisation, name=name)
    assortment.buyers.set(buyers)
    for position, enrollment in enumerate(enrollments, start=1):
        AssortmentItem.objects.create(
            assortment=assortment, enrollment=enrollment, position=position, note=f"n{position}"
        )
    return assortment


def order_of(assortment):
    return list(assortment.items.order_by("position").values_list("enrollment_id", "position"))


def test_a_provider_creates_an_assortment_with_items_and_buyers(api, provider):
    first, second = approved(provider), approved(provider)
    buyer = roster_buyer(provider)
    payload = {
        "name": "Autumn picks",
        "description": "Knitwear for cool evenings",
        "buyers": [buyer.pk],
        "items": [
            {"enrollment": second.pk, "note": "Hero item"},
            {"enrollment": first.pk},
        ],
    }

    response = api.as_member(provider).post(URL, payload, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Autumn picks"
    assert body["description"] == "Knitwear for cool evenings"
    assert body["buyers"] == [buyer.pk]
    assert body["provider"] == provider.organisation_id
    assert [(i["enrollment"], i["position"], i["note"]) for i in body["items"]] == [
        (second.pk, 1, "Hero item"),
        (first.pk, 2, ""),
    ]
    assert body["items"][0]["campaign_price"] == "159.00"
    assert body["items"][0]["commission_rate"] == "0.2000"
    assert body["items"][0]["product_title"] == second.product.title
    assert body["items"][0]["enrollment_status"] == "approved"


def test_it_orders_items_by_the_positions_given_and_stores_them_as_1_to_n(api, provider):
    a, b, c = approved(provider), approved(provider), approved(provider)
    items = [
        {"enrollment": a.pk, "position": 30},
        {"enrollment": b.pk, "position": 5},
        {"enrollment": c.pk, "position": 12},
    ]

    response = api.as_member(provider).post(URL, {"name": "X", "items": items}, format="json")

    assert [(i["enrollment"], i["position"]) for i in response.json()["items"]] == [
        (b.pk, 1),
        (c.pk, 2),
        (a.pk, 3),
    ]


@pytest.mark.parametrize("status", ["pending", "rejected", "withdrawn", "terminated"])
def test_items_must_be_approved_enrollments(api, provider, status):
    good = approved(provider)
    bad = EnrollmentFactory(status=status, campaign__provider=provider.organisation)
    items = [{"enrollment": good.pk}, {"enrollment": bad.pk}]

    response = api.as_member(provider).post(URL, {"name": "X", "items": items}, format="json")

    assert response.status_code == 400
    assert response.json() == {"items": {"1": {"enrollment": [NOT_ELIGIBLE]}}}
    assert not Assortment.objects.exists()


def test_items_must_come_from_the_providers_own_campaigns(api, provider, member_factory):
    theirs = approved(member_factory(Role.PROVIDER))

    response = api.as_member(provider).post(
        URL, {"name": "X", "items": [{"enrollment": theirs.pk}]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"items": {"0": {"enrollment": [NOT_ELIGIBLE]}}}


def test_an_enrollment_appears_once(api, provider):
    enrollment = approved(provider)
    items = [{"enrollment": enrollment.pk}, {"enrollment": enrollment.pk}]

    response = api.as_member(provider).post(URL, {"name": "X", "items": items}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "items": {"1": {"enrollment": ["This enrollment is already in the assortment."]}}
    }


def test_a_malformed_item_is_named_by_its_index(api, provider):
    items = [{"enrollment": approved(provider).pk}, {"note": "no enrollment"}]

    response = api.as_member(provider).post(URL, {"name": "X", "items": items}, format="json")

    assert response.status_code == 400
    assert set(response.json()["items"]) == {"1"}
    assert "enrollment" in response.json()["items"]["1"]


@pytest.mark.parametrize("status", ["invited", "ended"])
def test_buyers_must_be_on_the_active_roster(api, provider, status):
    active = roster_buyer(provider)
    not_active = roster_buyer(provider, status=status)

    response = api.as_member(provider).post(
        URL, {"name": "X", "buyers": [active.pk, not_active.pk]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"buyers": [f"Buyer {not_active.pk} is not on your active roster."]}
    assert not Assortment.objects.exists()


def test_another_providers_buyer_cannot_be_shared_with(api, provider, member_factory):
    other_provider = member_factory(Role.PROVIDER)
    buyer = RosterMembershipFactory(provider=other_provider.organisation).buyer

    response = api.as_member(provider).post(URL, {"name": "X", "buyers": [buyer.pk]}, format="json")

    assert response.json() == {"buyers": [f"Buyer {buyer.pk} is not on your active roster."]}


def test_a_name_is_required(api, provider):
    response = api.as_member(provider).post(URL, {"name": "  "}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()


def test_writing_items_replaces_the_list(api, provider):
    a, b, c = approved(provider), approved(provider), approved(provider)
    assortment = make_assortment(provider, [a, b])

    response = api.as_member(provider).patch(
        f"{URL}{assortment.pk}/",
        {"items": [{"enrollment": c.pk, "note": "new"}, {"enrollment": a.pk, "note": "kept"}]},
        format="json",
    )

    assert response.status_code == 200
    assert order_of(assortment) == [(c.pk, 1), (a.pk, 2)]
    assert list(assortment.items.order_by("position").values_list("note", flat=True)) == [
        "new",
        "kept",
    ]


def test_a_bad_item_changes_nothing(api, provider):
    a, b = approved(provider), approved(provider)
    pending = EnrollmentFactory(campaign__provider=provider.organisation)
    assortment = make_assortment(provider, [a, b])

    response = api.as_member(provider).put(
        f"{URL}{assortment.pk}/",
        {"name": "Renamed", "items": [{"enrollment": b.pk}, {"enrollment": pending.pk}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"items": {"1": {"enrollment": [NOT_ELIGIBLE]}}}
    assortment.refresh_from_db()
    assert assortment.name == "Autumn picks"
    assert order_of(assortment) == [(a.pk, 1), (b.pk, 2)]


def test_a_patch_without_items_keeps_them_and_edits_a_note(api, provider):
    a, b = approved(provider), approved(provider)
    assortment = make_assortment(provider, [a, b])
    client = api.as_member(provider)

    renamed = client.patch(f"{URL}{assortment.pk}/", {"name": "Winter"}, format="json")
    noted = client.patch(
        f"{URL}{assortment.pk}/",
        {"items": [{"enrollment": a.pk, "note": "Bestseller"}, {"enrollment": b.pk, "note": "n2"}]},
        format="json",
    )

    assert renamed.json()["name"] == "Winter"
    assert [i["enrollment"] for i in renamed.json()["items"]] == [a.pk, b.pk]
    assert [i["note"] for i in noted.json()["items"]] == ["Bestseller", "n2"]


def test_the_provider_reorders_the_items(api, provider):
    a, b, c = approved(provider), approved(provider), approved(provider)
    assortment = make_assortment(provider, [a, b, c])

    response = api.as_member(provider).post(
        f"{URL}{assortment.pk}/reorder/", {"enrollments": [c.pk, a.pk, b.pk]}, format="json"
    )

    assert response.status_code == 200
    assert [(i["enrollment"], i["position"]) for i in response.json()["items"]] == [
        (c.pk, 1),
        (a.pk, 2),
        (b.pk, 3),
    ]
    assert order_of(assortment) == [(c.pk, 1), (a.pk, 2), (b.pk, 3)]
    # the notes travel with their items
    assert [i["note"] for i in response.json()["items"]] == ["n3", "n1", "n2"]


@pytest.mark.parametrize("case", ["missing", "extra", "duplicate", "empty"])
def test_a_reorder_must_name_exactly_the_current_items(api, provider, case):
    a, b = approved(provider), approved(provider)
    stranger = approved(provider)
    assortment = make_assortment(provider, [a, b])
    enrollments = {
        "missing": [b.pk],
        "extra": [b.pk, a.pk, stranger.pk],
        "duplicate": [b.pk, a.pk, a.pk],
        "empty": [],
    }[case]

    response = api.as_member(provider).post(
        f"{URL}{assortment.pk}/reorder/", {"enrollments": enrollments}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "enrollments": ["Send every enrollment of the assortment exactly once."]
    }
    assert order_of(assortment) == [(a.pk, 1), (b.pk, 2)]


def test_the_provider_deletes_an_assortment(api, provider):
    assortment = make_assortment(provider, [approved(provider)])

    response = api.as_member(provider).delete(f"{URL}{assortment.pk}/")

    assert response.status_code == 204
    assert not Assortment.objects.exists()
    assert not AssortmentItem.objects.exists()


class TestWhoSeesWhat:
    @pytest.fixture
    def shared(self, provider):
        buyer_org = roster_buyer(provider)
        other_buyer = roster_buyer(provider)
        assortment = make_assortment(
            provider, [approved(provider), approved(provider)], buyers=[buyer_org, other_buyer]
        )
        return assortment, buyer_org

    def test_a_buyer_reads_what_is_shared_with_it_and_sees_only_itself_among_buyers(
        self, api, shared, member_factory
    ):
        assortment, buyer_org = shared
        buyer = member_factory(Role.BUYER, organisation=buyer_org)
        client = api.as_member(buyer)

        listing = client.get(URL).json()
        detail = client.get(f"{URL}{assortment.pk}/")

        assert [row["id"] for row in listing["results"]] == [assortment.pk]
        assert detail.status_code == 200
        assert detail.json()["buyers"] == [buyer_org.pk]
        assert [i["note"] for i in detail.json()["items"]] == ["n1", "n2"]

    def test_a_shared_buyer_cannot_write(self, api, shared, member_factory, provider):
        assortment, buyer_org = shared
        client = api.as_member(member_factory(Role.BUYER, organisation=buyer_org))
        item_ids = list(assortment.items.values_list("enrollment_id", flat=True))

        assert client.post(URL, {"name": "Mine"}, format="json").status_code == 403
        assert (
            client.patch(f"{URL}{assortment.pk}/", {"name": "X"}, format="json").status_code == 403
        )
        assert client.delete(f"{URL}{assortment.pk}/").status_code == 403
        reorder = client.post(
            f"{URL}{assortment.pk}/reorder/", {"enrollments": item_ids[::-1]}, format="json"
        )
        assert reorder.status_code == 403
        assortment.refresh_from_db()
        assert assortment.name == "Autumn picks"

    def test_a_buyer_it_is_not_shared_with_gets_404(self, api, shared, buyer):
        assortment, _ = shared
        client = api.as_member(buyer)

        assert client.get(f"{URL}{assortment.pk}/").status_code == 404
        assert client.get(URL).json()["count"] == 0

    def test_another_provider_gets_404_for_everything(self, api, shared, member_factory):
        assortment, _ = shared
        client = api.as_member(member_factory(Role.PROVIDER))
        url = f"{URL}{assortment.pk}/"

        assert client.get(url).status_code == 404
        assert client.patch(url, {"name": "X"}, format="json").status_code == 404
        assert client.put(url, {"name": "X"}, format="json").status_code == 404
        assert client.delete(url).status_code == 404
        assert client.post(f"{url}reorder/", {"enrollments": []}, format="json").status_code == 404
        assert client.get(URL).json()["count"] == 0

    def test_a_merchant_can_do_nothing(self, api, shared, merchant):
        assortment, _ = shared
        client = api.as_member(merchant)

        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}{assortment.pk}/").status_code == 403
        assert client.post(URL, {"name": "X"}, format="json").status_code == 403

    def test_a_pending_provider_cannot_write(self, api, pending_provider):
        response = api.as_member(pending_provider).post(URL, {"name": "X"}, format="json")

        assert response.status_code == 403
        assert not Assortment.objects.exists()


def test_the_list_runs_a_bounded_number_of_queries(api, provider, django_assert_max_num_queries):
    buyers = [roster_buyer(provider) for _ in range(3)]
    for index in range(8):
        make_assortment(
            provider, [approved(provider) for _ in range(6)], buyers=buyers, name=f"A{index}"
        )
    client = api.as_member(provider)

    with django_assert_max_num_queries(8):
        response = client.get(URL)

    assert response.json()["count"] == 8
    assert all(len(row["items"]) == 6 for row in response.json()["results"])
    assert all(len(row["buyers"]) == 3 for row in response.json()["results"])


def test_the_detail_runs_a_bounded_number_of_queries(api, provider, django_assert_max_num_queries):
    assortment = make_assortment(provider, [approved(provider) for _ in range(20)])
    client = api.as_member(provider)

    with django_assert_max_num_queries(7):
        response = client.get(f"{URL}{assortment.pk}/")

    assert len(response.json()["items"]) == 20
