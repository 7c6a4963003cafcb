from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.models import Notification
from influencers.models import SampleRequest
from merchants.models import Product
from tests.factories import EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def ask(api, buyer, enrollment, **extra):
    return api.as_member(buyer).post(
        "/api/v1/sample-requests/", {"enrollment": enrollment.pk, **extra}, format="json"
    )


def act(api, user, sample_id, action, **data):
    return api.as_member(user).post(
        f"/api/v1/sample-requests/{sample_id}/{action}/", data, format="json"
    )


def sample_stock(enrollment) -> int:
    return Product.objects.get(pk=enrollment.product_id).sample_stock


def test_the_whole_happy_path(api, buyer, reachable):
    merchant = reachable.merchant_user
    created = ask(api, buyer, reachable)
    assert created.status_code == 201
    sample_id = created.json()["id"]
    assert created.json()["status"] == "requested"

    assert act(api, merchant, sample_id, "approve").json()["status"] == "approved"
    assert sample_stock(reachable) == 1
    shipped = act(api, merchant, sample_id, "ship", carrier="SF Express", tracking_number="SF123")
    assert shipped.json()["tracking_number"] == "SF123"
    assert act(api, buyer, sample_id, "receive").json()["status"] == "received"
    assert act(api, buyer, sample_id, "fulfil").json()["status"] == "fulfilled"
    assert sample_stock(reachable) == 1  # the shipped unit is gone for good
    kinds = list(Notification.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        "sample.requested", "sample.approved", "sample.shipped", "sample.received",
        "sample.fulfilled",
    ]  # fmt: skip


def test_deadlines_are_set_as_each_step_happens(api, buyer, reachable):
    with time_machine.travel("2026-12-01 10:00 +0800", tick=False):
        sample_id = ask(api, buyer, reachable).json()["id"]
        approved = act(api, reachable.merchant_user, sample_id, "approve").json()
    assert approved["approve_by"].startswith("2026-12-04T10:00")
    assert approved["ship_by"].startswith("2026-12-06T10:00")
    with time_machine.travel("2026-12-03 09:00 +0800", tick=False):
        act(api, reachable.merchant_user, sample_id, "ship", carrier="SF", tracking_number="1")
        received = act(api, buyer, sample_id, "receive").json()
    assert received["fulfil_by"].startswith("2026-12-17T09:00")
    extended = act(api, buyer, sample_id, "extend")
    assert extended.json()["fulfil_by"].startswith("2026-12-24T09:00")
    again = act(api, buyer, sample_id, "extend")
    assert again.status_code == 409
    assert again.json() == {"detail": "This sample request was already extended once."}


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("ship", "requested", "This sample request is requested, so it cannot be shipped."),
        ("receive", "approved", "This sample request is approved, so it cannot be received."),
        ("fulfil", "shipped", "This sample request is shipped, so it cannot be fulfilled."),
        ("withdraw", "shipped", "This sample request is shipped, so it cannot be withdrawn."),
        ("approve", "rejected", "This sample request is rejected, so it cannot be approved."),
        ("extend", "requested", "This sample request is requested, so it cannot be extended."),
    ],
)
def test_illegal_moves_are_conflicts(api, buyer, reachable, action, status, message):
    sample = SampleRequest.objects.create(
        buyer=buyer.organisation, enrollment=reachable, status=status, approve_by=timezone.now()
    )
    user = reachable.merchant_user if action in {"ship", "approve"} else buyer
    data = {"carrier": "SF", "tracking_number": "1"} if action == "ship" else {}

    response = act(api, user, sample.pk, action, **data)

    assert response.status_code == 409
    assert response.json() == {"detail": message}


def test_rejection_and_withdrawal_release_the_unit(api, buyer, reachable):
    merchant = reachable.merchant_user
    first = ask(api, buyer, reachable).json()["id"]
    act(api, merchant, first, "approve")
    assert sample_stock(reachable) == 1

    assert act(api, buyer, first, "withdraw").json()["status"] == "withdrawn"
    assert sample_stock(reachable) == 2

    second = ask(api, buyer, reachable).json()["id"]
    act(api, merchant, second, "approve")
    rejected = act(api, merchant, second, "reject", reason="Out of this colour")
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reason"] == "Out of this colour"
    assert sample_stock(reachable) == 2


def test_no_sample_stock_left_is_a_conflict(api, buyer, reachable):
    Product.objects.filter(pk=reachable.product_id).update(sample_stock=0)
    sample_id = ask(api, buyer, reachable).json()["id"]

    response = act(api, reachable.merchant_user, sample_id, "approve")

    assert response.status_code == 409
    assert response.json() == {"detail": "No sample stock left for this product."}
    assert SampleRequest.objects.get(pk=sample_id).status == "requested"


def test_one_open_request_per_buyer_and_enrollment(api, buyer, reachable):
    ask(api, buyer, reachable)

    second = ask(api, buyer, reachable)

    assert second.status_code == 409
    assert second.json() == {"detail": "You already have an open sample request for this item."}
    assert SampleRequest.objects.count() == 1


def test_the_monthly_cap(api, buyer, reachable, settings):
    settings.SAMPLE_MONTHLY_CAP = 1
    sample_id = ask(api, buyer, reachable).json()["id"]
    act(api, buyer, sample_id, "withdraw")

    response = ask(api, buyer, reachable)

    assert response.status_code == 400
    assert response.json() == {"enrollment": ["You have used this month's 1 sample requests."]}


def test_minimum_followers(api, buyer, reachable):
    reachable.min_followers = 10000
    reachable.save()

    response = ask(api, buyer, reachable)

    assert response.status_code == 400
    assert response.json() == {
        "enrollment": ["This item asks for at least 10,000 verified followers; 0 are verified."]
    }


def test_auto_approval_reserves_at_once(api, buyer, reachable):
    reachable.auto_approve_samples = True
    reachable.save()

    body = ask(api, buyer, reachable).json()

    assert body["status"] == "approved"
    assert body["auto_approved"] is True
    assert sample_stock(reachable) == 1


def test_an_unreachable_enrollment_cannot_be_sampled(api, buyer):
    stranger = EnrollmentFactory(status="approved")

    response = ask(api, buyer, stranger)

    assert response.status_code == 400
    assert response.json() == {"enrollment": ["You cannot ask for a sample of this item."]}


def test_sides_and_organisations(api, buyer, reachable, member_factory):
    sample_id = ask(api, buyer, reachable).json()["id"]
    other_merchant = member_factory("merchant")
    other_buyer = member_factory("buyer")

    assert act(api, buyer, sample_id, "approve").status_code == 403
    assert act(api, reachable.merchant_user, sample_id, "withdraw").status_code == 403
    assert act(api, other_merchant, sample_id, "approve").status_code == 404
    assert (
        api.as_member(other_buyer).get(f"/api/v1/sample-requests/{sample_id}/").status_code == 404
    )
    assert (
        api.as_member(reachable.merchant_user)
        .post("/api/v1/sample-requests/", {"enrollment": reachable.pk}, format="json")
        .status_code
        == 403
    )
    provider_view = api.as_member(reachable.provider_user).get(
        f"/api/v1/sample-requests/{sample_id}/"
    )
    assert provider_view.status_code == 200
    assert act(api, reachable.provider_user, sample_id, "approve").json()["status"] == "approved"


def test_the_merchant_sees_the_buyers_profile_and_rate(api, buyer, reachable):
    ask(api, buyer, reachable)

    row = (
        api.as_member(reachable.merchant_user).get("/api/v1/sample-requests/").json()["results"][0]
    )

    assert row["buyer"]["id"] == buyer.organisation_id
    assert row["buyer"]["fulfilment_rate"] is None
    assert row["sku"] == reachable.product.sku


def test_the_list_runs_a_bounded_number_of_queries(
    api, reachable, django_assert_max_num_queries, member_factory
):
    for _ in range(15):
        other = member_factory("buyer")
        SampleRequest.objects.create(
            buyer=other.organisation, enrollment=reachable, approve_by=timezone.now()
        )
    client = api.as_member(reachable.merchant_user)

    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/sample-requests/").json()
    assert body["count"] == 15


def test_bulk_approve_reports_each_request(api, buyer, reachable, member_factory):
    mine = ask(api, buyer, reachable).json()["id"]
    elsewhere = SampleRequest.objects.create(
        buyer=member_factory("buyer").organisation,
        enrollment=EnrollmentFactory(status="approved"),
        approve_by=timezone.now(),
    )

    body = (
        api.as_member(reachable.merchant_user)
        .post("/api/v1/sample-requests/bulk-approve/", {"ids": [mine, elsewhere.pk]}, format="json")
        .json()
    )

    assert body == {"approved": [mine], "refused": {str(elsewhere.pk): "Not found."}}
    assert SampleRequest.objects.get(pk=elsewhere.pk).status == "requested"


def test_bulk_approve_refuses_ids_out_of_range(api, reachable):
    response = api.as_member(reachable.merchant_user).post(
        "/api/v1/sample-requests/bulk-approve/", {"ids": [2**70, -3]}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["ids"]) == {"0", "1"}


class TestDeadlines:
    def make(self, reachable, buyer, status, **times):
        return SampleRequest.objects.create(
            buyer=buyer.organisation, enrollment=reachable, status=status,
            approve_by=times.pop("approve_by", timezone.now() + timedelta(days=3)), **times,
        )  # fmt: skip

    def test_late_steps_move_and_release_units(self, reachable, buyer):
        from influencers.services.sample_deadlines import sweep_late_sample_requests

        now = timezone.now()
        not_approved = self.make(
            reachable, buyer, "requested", approve_by=now - timedelta(minutes=1)
        )
        UserFactory()  # noise
        not_shipped = self.make(
            reachable,
            member_factory_buyer(),
            "approved",
            ship_by=now - timedelta(minutes=1),
            unit_reserved=True,
        )
        not_live = self.make(
            reachable, member_factory_buyer(), "received", fulfil_by=now - timedelta(minutes=1)
        )
        in_time = self.make(
            reachable, member_factory_buyer(), "received", fulfil_by=now + timedelta(days=1)
        )
        stock_before = sample_stock(reachable)

        moved = sweep_late_sample_requests()

        assert moved == {
            "requested->overdue": 1,
            "approved->overdue": 1,
            "received->unfulfilled": 1,
        }
        states = {s.pk: s.status for s in SampleRequest.objects.all()}
        assert states[not_approved.pk] == "overdue"
        assert states[not_shipped.pk] == "overdue"
        assert states[not_live.pk] == "unfulfilled"
        assert states[in_time.pk] == "received"
        assert sample_stock(reachable) == stock_before + 1
        assert sweep_late_sample_requests() == {
            "requested->overdue": 0, "approved->overdue": 0, "received->unfulfilled": 0,
        }  # fmt: skip

    def test_an_unfulfilled_sample_counts_against_the_buyer(self, api, buyer, reachable):
        from influencers.services.sample_deadlines import sweep_late_sample_requests

        with time_machine.travel("2026-12-01 10:00 +0800", tick=False):
            sample_id = ask(api, buyer, reachable).json()["id"]
            act(api, reachable.merchant_user, sample_id, "approve")
            act(api, reachable.merchant_user, sample_id, "ship", carrier="SF", tracking_number="1")
            act(api, buyer, sample_id, "receive")
        with time_machine.travel("2026-12-15 09:59 +0800", tick=False):
            sweep_late_sample_requests()
            assert SampleRequest.objects.get(pk=sample_id).status == "received"
        with time_machine.travel("2026-12-15 10:01 +0800", tick=False):
            sweep_late_sample_requests()
            assert SampleRequest.objects.get(pk=sample_id).status == "unfulfilled"
            profile = api.as_member(buyer).get("/api/v1/profile/").json()
        assert profile["fulfilment_rate"] == "0.0000"


def member_factory_buyer():
    from tests.factories import OrganisationFactory

    class Holder:
        pass

    holder = Holder()
    holder.organisation = OrganisationFactory(role="buyer")
    return holder


class TestShippingByCsv:
    def approved(self, reachable, buyer_org):
        return SampleRequest.objects.create(
            buyer=buyer_org, enrollment=reachable, status="approved", unit_reserved=True,
            approve_by=timezone.now(), ship_by=timezone.now() + timedelta(days=5),
        )  # fmt: skip

    def test_every_row_ships_together(self, api, buyer, reachable, member_factory):
        first = self.approved(reachable, buyer.organisation)
        second = self.approved(reachable, member_factory("buyer").organisation)
        body = f"sample_request,carrier,tracking_number\n{first.pk},SF,SF1\n{second.pk},YTO,YT2\n"

        response = api.as_member(reachable.merchant_user).post(
            "/api/v1/sample-requests/ship-import/", body, content_type="text/csv"
        )

        assert response.status_code == 200
        assert response.json() == {"shipped": sorted([first.pk, second.pk])}
        assert set(SampleRequest.objects.values_list("status", "tracking_number")) == {
            ("shipped", "SF1"), ("shipped", "YT2"),
        }  # fmt: skip

    def test_one_bad_row_ships_nothing_and_every_bad_row_is_named(
        self, api, buyer, reachable, member_factory
    ):
        good = self.approved(reachable, buyer.organisation)
        requested = SampleRequest.objects.create(
            buyer=member_factory("buyer").organisation,
            enrollment=reachable,
            approve_by=timezone.now(),
        )
        body = (
            "sample_request,carrier,tracking_number\n"
            f"{good.pk},SF,SF1\n"
            f"{requested.pk},SF,SF2\n"
            "999999,SF,SF3\n"
            f"{good.pk},,\n"
            "²,SF,SF4\n"  # a digit to str.isdigit, not to int(): was a 500
        )

        response = api.as_member(reachable.merchant_user).post(
            "/api/v1/sample-requests/ship-import/", body, content_type="text/csv"
        )

        assert response.status_code == 400
        not_approved = "Only approved requests ship; this one is requested."
        assert response.json()["errors"] == [
            {"line": 3, "field": "sample_request", "message": not_approved},
            {"line": 4, "field": "sample_request", "message": "No such sample request of yours."},
            {"line": 5, "field": "carrier", "message": "Name the carrier."},
            {"line": 5, "field": "sample_request", "message": "Already on line 2."},
            {"line": 5, "field": "tracking_number", "message": "Give the tracking number."},
            {"line": 6, "field": "sample_request", "message": "No such sample request of yours."},
        ]  # fmt: skip
        assert not SampleRequest.objects.filter(status="shipped").exists()
