from datetime import timedelta

import pytest
from django.utils import timezone

from influencers.models import Livestream
from tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def tomorrow_evening() -> str:
    # The evening of the day after tomorrow in the shop's time zone: a UTC date
    # is a day behind Shanghai's from 16:00 UTC on.
    return (
        (timezone.localtime() + timedelta(days=2))
        .replace(hour=20, minute=0, second=0, microsecond=0)
        .isoformat()
    )


def plan(api, buyer, slots, **extra):
    return api.as_member(buyer).post(
        "/api/v1/livestreams/",
        {"title": "Friday night", "scheduled_at": tomorrow_evening(), "slots": slots, **extra},
        format="json",
    )


def more_reachable(reachable, n):
    return [EnrollmentFactory(status="approved", campaign=reachable.campaign) for _ in range(n)]


def test_a_buyer_plans_an_ordered_lineup(api, buyer, reachable):
    others = more_reachable(reachable, 2)

    response = plan(api, buyer, [
        {"enrollment": reachable.pk, "role": "hero", "minutes": 10, "target_units": 50},
        {"enrollment": others[0].pk, "role": "traffic"},
        {"enrollment": others[1].pk, "role": "margin", "target_units": 20},
    ])  # fmt: skip

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert [(s["position"], s["enrollment"], s["role"]) for s in body["slots"]] == [
        (1, reachable.pk, "hero"), (2, others[0].pk, "traffic"), (3, others[1].pk, "margin"),
    ]  # fmt: skip
    assert body["warnings"] == []


def test_at_most_120_slots(api, buyer, reachable):
    response = plan(api, buyer, [{"enrollment": reachable.pk}] * 121)

    assert response.status_code == 400
    assert "slots" in response.json()
    assert not Livestream.objects.exists()


def test_items_the_buyer_cannot_promote_are_refused_by_position(api, buyer, reachable):
    stranger = EnrollmentFactory(status="approved")

    response = plan(api, buyer, [{"enrollment": reachable.pk}, {"enrollment": stranger.pk}])

    assert response.status_code == 400
    assert response.json() == {
        "slots": [{"position": 2, "enrollment": ["You cannot promote this item."]}]
    }


def test_warnings_for_stock_dates_and_duplicates(api, buyer, reachable):
    reachable.promotion_stock = 30
    reachable.save()
    campaign = reachable.campaign
    campaign.promotion_end = timezone.localdate() + timedelta(days=1)
    campaign.save()

    body = plan(api, buyer, [
        {"enrollment": reachable.pk, "target_units": 50},
        {"enrollment": reachable.pk, "target_units": 10},
    ]).json()  # fmt: skip

    kinds = sorted((w["position"], w["kind"]) for w in body["warnings"])
    assert kinds == [
        (1, "duplicate"), (1, "ends_before"), (1, "stock"), (2, "duplicate"), (2, "ends_before"),
    ]  # fmt: skip
    stock = next(w for w in body["warnings"] if w["kind"] == "stock")
    assert stock["message"] == "Promotion stock 30 cannot cover 50 target units."


def test_status_moves_and_the_lock(api, buyer, reachable):
    client = api.as_member(buyer)
    livestream_id = plan(api, buyer, [{"enrollment": reachable.pk}]).json()["id"]
    url = f"/api/v1/livestreams/{livestream_id}/"

    assert client.post(url + "go-live/").status_code == 409
    assert client.post(url + "confirm/").json()["status"] == "confirmed"
    assert client.post(url + "go-live/").json()["status"] == "live"
    locked = client.patch(url, {"title": "Renamed"}, format="json")
    assert locked.status_code == 409
    assert locked.json() == {"detail": "This livestream is live and locked."}
    assert client.post(url + "end/").json()["status"] == "ended"
    again = client.post(url + "end/")
    assert again.status_code == 409
    assert again.json() == {"detail": "This livestream is ended, so it cannot end."}


def test_an_empty_lineup_cannot_be_confirmed(api, buyer):
    livestream_id = plan(api, buyer, []).json()["id"]

    response = api.as_member(buyer).post(f"/api/v1/livestreams/{livestream_id}/confirm/")

    assert response.status_code == 409
    assert response.json() == {"detail": "Add at least one slot before confirming."}


def test_reorder_keeps_every_slot(api, buyer, reachable):
    others = more_reachable(reachable, 2)
    body = plan(api, buyer, [{"enrollment": e.pk} for e in [reachable, *others]]).json()
    ids = [slot["id"] for slot in body["slots"]]
    client = api.as_member(buyer)
    url = f"/api/v1/livestreams/{body['id']}/reorder/"

    reordered = client.post(url, {"slots": [ids[2], ids[0], ids[1]]}, format="json").json()
    assert [s["id"] for s in reordered["slots"]] == [ids[2], ids[0], ids[1]]
    assert [s["position"] for s in reordered["slots"]] == [1, 2, 3]
    partial = client.post(url, {"slots": ids[:2]}, format="json")
    assert partial.status_code == 400
    assert partial.json() == {"slots": ["Send every slot of the lineup exactly once."]}


def test_copy_a_past_lineup(api, buyer, reachable):
    gone = EnrollmentFactory(status="approved", campaign=reachable.campaign)
    source = plan(
        api, buyer, [{"enrollment": reachable.pk, "role": "hero"}, {"enrollment": gone.pk}]
    ).json()
    gone.status = "terminated"
    gone.save()

    response = api.as_member(buyer).post(
        f"/api/v1/livestreams/{source['id']}/copy/",
        {"scheduled_at": tomorrow_evening()},
        format="json",
    )

    assert response.status_code == 201
    copy = response.json()
    assert copy["status"] == "draft"
    assert copy["copied_from"] == source["id"]
    assert [(s["enrollment"], s["role"]) for s in copy["slots"]] == [(reachable.pk, "hero")]
    assert copy["skipped_enrollments"] == [gone.pk]


def test_other_organisations_and_roles(api, buyer, reachable, member_factory):
    livestream_id = plan(api, buyer, [{"enrollment": reachable.pk}]).json()["id"]

    other_buyer = api.as_member(member_factory("buyer"))
    assert other_buyer.get(f"/api/v1/livestreams/{livestream_id}/").status_code == 404
    assert other_buyer.post(f"/api/v1/livestreams/{livestream_id}/confirm/").status_code == 404
    merchant = api.as_member(reachable.merchant_user)
    assert merchant.get("/api/v1/livestreams/").status_code == 403


def test_only_drafts_are_deleted(api, buyer, reachable):
    client = api.as_member(buyer)
    livestream_id = plan(api, buyer, [{"enrollment": reachable.pk}]).json()["id"]
    client.post(f"/api/v1/livestreams/{livestream_id}/confirm/")

    response = client.delete(f"/api/v1/livestreams/{livestream_id}/")

    assert response.status_code == 409
    assert Livestream.objects.filter(pk=livestream_id).exists()


def test_the_list_is_bounded(api, buyer, reachable, django_assert_max_num_queries):
    for _ in range(10):
        plan(api, buyer, [{"enrollment": reachable.pk}] * 5)
    client = api.as_member(buyer)

    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/livestreams/").json()["count"] == 10


def test_a_livestream_cannot_be_scheduled_centuries_away(api, buyer):
    response = api.as_member(buyer).post(
        "/api/v1/livestreams/",
        {"title": "Typo", "scheduled_at": "0335-11-08T18:52:07+08:00", "slots": []},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"scheduled_at": ["Schedule the livestream between 2000 and 2999."]}
