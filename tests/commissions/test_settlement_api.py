"""Triggers of settlement: the operators' API, the portal page, the command and the beat task."""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.models import Role
from commissions.models import Commission, SettlementRun
from commissions.tasks import settle_commissions
from tests.commissions.settlement_support import DUE, SHANGHAI, due_commission
from tests.conftest import MemberClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
RUN = "/api/v1/settlements/run/"
RUNS = "/api/v1/settlements/"
PAGE = "/operator/settlements/"
ON_DUE_DAY = datetime.combine(DUE, time(9, 0), tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def eager_celery(settings):
    """Eager without REDIS_URL already; with it (CI) too, so queued runs run here."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


def counts(body: dict) -> tuple:
    return body["status"], body["total"], body["settled"], body["clawbacks"], body["voided"]


@time_machine.travel(ON_DUE_DAY, tick=False)
def test_an_operator_settles_the_worked_example_through_the_api(api, operator):
    commission = due_commission(amount="100.00")

    response = api.as_member(operator).post(RUN, {}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert counts(body) == ("succeeded", 1, 1, 0, 0)
    assert (body["as_of"], body["percent"], body["requested_by"]) == (
        "2026-03-17", 100, operator.username,
    )  # fmt: skip
    balances = {}
    for party, organisation in (
        ("buyer", commission.buyer), ("provider", commission.provider),
        ("merchant", commission.merchant),
    ):  # fmt: skip
        member = MemberClient().as_member(UserFactory(organisation=organisation))
        balances[party] = member.get("/api/v1/ledger/balances/").json()
    balances["platform"] = api.as_member(operator).get("/api/v1/ledger/balances/").json()
    assert balances == {
        "buyer": [{"account": "buyer_earnings", "balance": "18.00"}],
        "provider": [{"account": "provider_fees", "balance": "9.00"}],
        "merchant": [{"account": "merchant_payable", "balance": "-30.00"}],
        "platform": [{"account": "platform_revenue", "balance": "3.00"}],
    }


@time_machine.travel(ON_DUE_DAY - timedelta(days=1), tick=False)
def test_the_default_date_is_today_so_a_line_waits_for_its_delay(api, operator):
    due_commission()

    body = api.as_member(operator).post(RUN, {}, format="json").json()

    assert (body["as_of"], body["settled"]) == ("2026-03-16", 0)
    assert Commission.objects.get().status == "estimated"


@time_machine.travel(ON_DUE_DAY, tick=False)
def test_a_settlement_cannot_be_dated_after_today(api, operator):
    response = api.as_member(operator).post(RUN, {"as_of": "2026-03-18"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"as_of": ["A settlement cannot be dated after today."]}
    assert not SettlementRun.objects.exists()


def test_a_bad_date_names_the_field(api, operator):
    response = api.as_member(operator).post(RUN, {"as_of": "17/03/2026"}, format="json")

    assert response.status_code == 400
    assert "as_of" in response.json()


@pytest.mark.parametrize("role", [Role.MERCHANT, Role.BUYER, Role.PROVIDER])
def test_members_cannot_run_or_read_settlements(api, member_factory, role):
    member = api.as_member(member_factory(role))
    run = SettlementRun.objects.create(as_of=DUE)

    assert member.post(RUN, {}, format="json").status_code == 403
    assert member.get(RUNS).status_code == 403
    assert member.get(f"{RUNS}{run.pk}/").status_code == 403
    assert SettlementRun.objects.count() == 1


def test_a_pending_provider_cannot_run_a_settlement(api, pending_provider):
    assert api.as_member(pending_provider).post(RUN, {}, format="json").status_code == 403


def test_anonymous_callers_are_refused(api):
    assert api.post(RUN, {}, format="json").status_code in (401, 403)
    assert api.get("/api/v1/ledger/balances/").status_code in (401, 403)


def test_operators_list_runs_with_progress_in_bounded_queries(
    api, operator, django_assert_max_num_queries
):
    for day in range(5):
        SettlementRun.objects.create(
            as_of=DUE + timedelta(days=day), requested_by=operator, total=10, processed=day * 2
        )
    client = api.as_member(operator)

    with django_assert_max_num_queries(4):
        response = client.get(RUNS)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [run["percent"] for run in results] == [80, 60, 40, 20, 0]
    detail = client.get(f"{RUNS}{results[0]['id']}/").json()
    assert (detail["processed"], detail["total"], detail["status"]) == (8, 10, "running")
    assert client.get(f"{RUNS}999999/").status_code == 404


@time_machine.travel(ON_DUE_DAY, tick=False)
def test_a_large_run_is_queued_and_its_progress_shows(
    api, operator, settings, django_capture_on_commit_callbacks
):
    settings.SETTLEMENT_SYNC_MAX_LINES = 1
    for _ in range(3):
        due_commission()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_member(operator).post(RUN, {"as_of": "2026-03-17"}, format="json")

    assert response.status_code == 202
    assert counts(response.json()) == ("running", 3, 0, 0, 0)  # counted up front
    done = api.as_member(operator).get(f"{RUNS}{response.json()['id']}/").json()
    assert counts(done) == ("succeeded", 3, 3, 0, 0)
    assert done["processed"] == 3


# --- the portal page ---------------------------------------------------------------------


def test_operators_find_settlements_in_the_navigation(client, operator):
    client.force_login(operator)

    page = client.get(PAGE)

    assert page.status_code == 200
    assert f'href="{PAGE}"' in page.text
    assert "Run now" in page.text and "No settlement has run yet." in page.text


@pytest.mark.parametrize("role", [Role.MERCHANT, Role.BUYER, Role.PROVIDER])
def test_members_cannot_open_the_settlement_page(client, member_factory, role):
    client.force_login(member_factory(role))

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"as_of": "2026-03-17"}).status_code == 403
    assert not SettlementRun.objects.exists()


@time_machine.travel(ON_DUE_DAY, tick=False)
def test_run_now_settles_and_says_what_it_did(client, operator):
    due_commission()
    client.force_login(operator)

    response = client.post(PAGE, {"as_of": "2026-03-17"}, follow=True)

    assert "Settlement as of 2026-03-17: 1 settled, 0 clawbacks, 0 voided." in response.text
    assert "1 of 1 lines" in response.text
    assert "3.00" in response.text  # the platform's revenue
    assert SettlementRun.objects.get().requested_by == operator


@time_machine.travel(ON_DUE_DAY, tick=False)
def test_run_now_shows_the_date_error_on_the_form(client, operator):
    client.force_login(operator)

    response = client.post(PAGE, {"as_of": "2026-04-01"})

    assert response.status_code == 400
    assert "A settlement cannot be dated after today." in response.text
    assert not SettlementRun.objects.exists()


def test_a_running_run_polls_and_a_finished_one_stops(client, operator):
    running = SettlementRun.objects.create(as_of=DUE, total=4, processed=1)
    finished = SettlementRun.objects.create(as_of=DUE, status="succeeded", total=1, processed=1)
    client.force_login(operator)

    row = client.get(f"{PAGE}{running.pk}/status/")
    done = client.get(f"{PAGE}{finished.pk}/status/")

    assert f'hx-get="{PAGE}{running.pk}/status/"' in row.text
    assert 'value="25"' in row.text and "1 of 4 lines" in row.text
    assert "hx-get" not in done.text
    assert client.get(f"{PAGE}999999/status/").status_code == 404


def test_the_page_reads_in_bounded_queries(client, operator, django_assert_max_num_queries):
    for _ in range(12):
        SettlementRun.objects.create(as_of=DUE, requested_by=operator)
    client.force_login(operator)

    with django_assert_max_num_queries(8):
        assert client.get(PAGE).status_code == 200


# --- command and beat task ---------------------------------------------------------------


def test_the_command_settles_as_of_a_date_and_prints_counts():
    due_commission()
    out = StringIO()

    call_command("settle_commissions", "--as-of", "2026-03-17", stdout=out)

    run = SettlementRun.objects.get()
    assert out.getvalue().strip() == (
        f"Settlement run {run.pk} as of 2026-03-17: 1 settled, 0 clawbacks, 0 voided "
        "(1 of 1 lines processed)."
    )


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("settle_commissions", "--as-of", "17.03.2026")


def test_the_daily_beat_entry_expires():
    entry = settings.CELERY_BEAT_SCHEDULE["settle-commissions"]

    assert entry["task"] == "commissions.tasks.settle_commissions"
    assert 0 < entry["options"]["expires"] <= 24 * 3600


@time_machine.travel(ON_DUE_DAY, tick=False)
def test_the_daily_task_settles_as_of_today_and_closes_stalled_runs():
    due_commission()
    stalled = SettlementRun.objects.create(as_of=DUE - timedelta(days=2))
    SettlementRun.objects.filter(pk=stalled.pk).update(started_at=ON_DUE_DAY - timedelta(hours=7))

    result = settle_commissions.delay().get()

    run = SettlementRun.objects.get(pk=result["run"])
    assert (run.as_of, run.settled, result["settled"]) == (DUE, 1, 1)
    stalled.refresh_from_db()
    assert stalled.status == "failed" and stalled.error
    assert settle_commissions.delay().get()["settled"] == 0


def test_a_repeated_message_for_a_finished_run_does_nothing():
    run = SettlementRun.objects.create(as_of=DUE, status="succeeded")
    due_commission()

    assert settle_commissions.delay(run_id=run.pk).get() == {}
    assert Commission.objects.get().status == "estimated"
