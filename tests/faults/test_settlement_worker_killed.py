"""A settlement worker killed with SIGKILL in the middle of a run; another worker finishes it.

The operator's large run goes to a Celery worker (real ``celery -A config worker``, a
private redis-server as broker, the pytest database). The worker is killed while the run's
progress is between 0 and 100 %; the batch in flight dies with it (its transaction rolls
back). With late acks its message would come back only after the broker's visibility
timeout (an hour), so beat's ``resume_stalled_settlements`` sends a run that has reported no
progress for ``SETTLEMENT_RESUME_AFTER_SECONDS`` again; a second worker takes it and the run
ends with every line settled exactly once and a balanced ledger.
"""

import os
import signal
from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
from django.conf import settings as django_settings
from django.db.models import Count, Sum
from django.utils import timezone

from commissions import tasks
from commissions.ledger import ledger_total
from commissions.models import (
    Commission,
    LedgerEntry,
    LedgerTransaction,
    Order,
    OrderLine,
    SettlementRun,
)
from commissions.settlement import candidates, resume_stalled_runs
from commissions.splits import split
from commissions.tasks import settle_commissions
from tests.commissions.settlement_support import DUE, due_commission, make_link
from tests.conftest import uses_postgresql
from tests.faults.support import (
    REDIS_SERVER,
    app_env,
    celery_worker_command,
    pytest_database_url,
    send_task,
    tail,
    wait_until,
)

LINES = 3000  # above SETTLEMENT_SYNC_MAX_LINES: the operator's run goes to a worker
BATCH = 25  # 120 batches: the run lasts long enough to be killed half way


# --- the resume rule (any database) ---------------------------------------------------


@pytest.fixture
def eager_celery(settings):
    """The re-sent task runs here in-process, with or without REDIS_URL."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


def silent_run(*, minutes: float, status="running", heartbeat=True) -> SettlementRun:
    run = SettlementRun.objects.create(as_of=DUE, status=status)
    quiet = timezone.now() - timedelta(minutes=minutes)
    fields = {"heartbeat_at": quiet} if heartbeat else {"started_at": quiet}
    SettlementRun.objects.filter(pk=run.pk).update(**fields)
    return run


@pytest.mark.django_db
def test_a_run_silent_past_the_limit_is_sent_again_and_finishes(
    eager_celery, django_capture_on_commit_callbacks
):
    lines = [due_commission() for _ in range(3)]
    run = silent_run(minutes=11)

    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert tasks.resume_stalled_settlements.delay().get() == [run.pk]

    assert len(sent) == 1
    run.refresh_from_db()
    assert (run.status, run.processed, run.total, run.settled) == ("succeeded", 3, 3, 3)
    assert {c.status for c in Commission.objects.filter(pk__in=[c.pk for c in lines])} == {
        "settled"
    }
    assert ledger_total() == 0


@pytest.mark.django_db
def test_only_running_runs_silent_past_the_limit_are_sent_again(
    settings, django_capture_on_commit_callbacks
):
    settings.SETTLEMENT_RESUME_AFTER_SECONDS = 600
    recent = silent_run(minutes=9)
    finished = silent_run(minutes=60, status="succeeded")
    failed = silent_run(minutes=60, status="failed")
    never_started = silent_run(minutes=11, heartbeat=False)  # queued, no worker took it

    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert resume_stalled_runs(enqueue=settle_commissions.delay) == [never_started.pk]

    assert len(sent) == 1
    for run in (recent, finished, failed):
        run.refresh_from_db()
    assert (recent.status, finished.status, failed.status) == ("running", "succeeded", "failed")


@pytest.mark.django_db
def test_a_run_is_sent_again_once_per_quiet_period(django_capture_on_commit_callbacks):
    run = silent_run(minutes=30)

    with django_capture_on_commit_callbacks(execute=False) as sent:
        resume = partial(resume_stalled_runs, enqueue=settle_commissions.delay)
        first, second = resume(), resume()

    assert (first, second, len(sent)) == ([run.pk], [], 1)
    run.refresh_from_db()
    assert timezone.now() - run.heartbeat_at < timedelta(minutes=1)


@pytest.mark.django_db
def test_each_batch_stamps_the_heartbeat(eager_celery, settings):
    settings.SETTLEMENT_BATCH_SIZE = 1
    for _ in range(2):
        due_commission()
    run = silent_run(minutes=30)

    before = timezone.now()
    assert tasks.settle_commissions.delay(run_id=run.pk).get()["settled"] == 2

    run.refresh_from_db()
    assert run.heartbeat_at >= before


def test_the_resume_beat_entry_runs_often_and_expires():
    entry = django_settings.CELERY_BEAT_SCHEDULE["resume-stalled-settlements"]

    assert entry["task"] == "commissions.tasks.resume_stalled_settlements"
    assert 0 < entry["options"]["expires"] < 300


# --- the real worker, killed ----------------------------------------------------------


def due_lines(count: int) -> list[int]:
    """``count`` confirmed one-line orders paid 20 days ago (due today with the 15-day
    delay), on four links, written in three bulk INSERTs; the commission ids."""
    links = [make_link() for _ in range(4)]
    paid = timezone.now() - timedelta(days=20)
    orders = Order.objects.bulk_create(
        Order(
            external_id=f"FAULT-{n}", status="confirmed", paid_at=paid, confirmed_at=paid,
            merchant_id=links[n % 4].enrollment.product.merchant_id,
        )
        for n in range(count)
    )  # fmt: skip
    lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=order, position=1, sku=links[n % 4].enrollment.product.sku, quantity=1,
            amount=Decimal(20 + n % 180) + Decimal("0.37"), link=links[n % 4],
            product=links[n % 4].enrollment.product, attributed_at=paid,
        )
        for n, order in enumerate(orders)
    )  # fmt: skip
    commissions = []
    for line in lines:
        enrollment = line.link.enrollment
        figures = split(
            amount=line.amount, commission_rate=enrollment.commission_rate,
            service_fee_rate=enrollment.service_fee_rate, platform_rate=Decimal("0.1000"),
        )  # fmt: skip
        commission = Commission(
            line=line, order=line.order, enrollment=enrollment,
            merchant_id=enrollment.product.merchant_id, buyer_id=line.link.buyer_id,
            provider_id=enrollment.campaign.provider_id, status="settleable",
            commission_rate=enrollment.commission_rate,
            service_fee_rate=enrollment.service_fee_rate, platform_rate=Decimal("0.1000"),
            earned_at=paid, **{name: getattr(figures, name) for name in MONEY_FIELDS},
        )  # fmt: skip
        commissions.append(commission)
    return [c.pk for c in Commission.objects.bulk_create(commissions)]


MONEY_FIELDS = (
    "base_amount", "buyer_gross", "buyer_fee", "buyer_net", "provider_gross", "provider_fee",
    "provider_net", "platform_fee", "merchant_pays",
)  # fmt: skip


@pytest.mark.worker
@pytest.mark.skipif(
    not (uses_postgresql() and REDIS_SERVER),
    reason="needs PostgreSQL (SKIP LOCKED, a database a worker process can share) and "
    "redis-server installed for a private broker (bash .ci/run has both)",
)
def test_a_worker_killed_mid_run_leaves_no_line_settled_twice(
    transactional_db, private_redis, processes
):
    commission_ids = due_lines(LINES)
    today = timezone.localdate()
    assert candidates(today).count() == LINES > django_settings.SETTLEMENT_SYNC_MAX_LINES
    # What start_settlement does for a large run: the run row, then the message.
    run = SettlementRun.objects.create(as_of=today, total=LINES)
    env = app_env(
        database_url=pytest_database_url(), redis_url=private_redis.url,
        SETTLEMENT_BATCH_SIZE=str(BATCH), SETTLEMENT_RESUME_AFTER_SECONDS="1",
    )  # fmt: skip
    first = processes.start("worker-1", celery_worker_command("first"), env=env)
    send_task(private_redis.url, tasks.settle_commissions, run_id=run.pk)

    def half_way() -> bool:
        assert first.poll() is None, tail(first.log)
        run.refresh_from_db()
        return 0 < run.processed < LINES // 2

    wait_until(half_way, seconds=30, what="the first worker settling", log=first.log)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    run.refresh_from_db()
    stopped_at = run.processed
    assert run.status == "running" and 0 < stopped_at < LINES
    assert Commission.objects.filter(status="settled").count() == stopped_at
    assert LedgerTransaction.objects.count() == stopped_at  # the batch in flight rolled back
    assert ledger_total() == 0

    second = processes.start("worker-2", celery_worker_command("second"), env=env)
    # Beat's sweep, a little after the silence passed SETTLEMENT_RESUME_AFTER_SECONDS.
    wait_until(
        lambda: timezone.now() - SettlementRun.objects.get(pk=run.pk).heartbeat_at
        > timedelta(seconds=1.5),
        seconds=10, what="the run going quiet",
    )  # fmt: skip
    send_task(private_redis.url, tasks.resume_stalled_settlements)

    def finished() -> bool:
        assert second.poll() is None, tail(second.log)
        return SettlementRun.objects.get(pk=run.pk).status != "running"

    wait_until(finished, seconds=60, what="the second worker finishing the run", log=second.log)

    run.refresh_from_db()
    assert (run.status, run.error) == ("succeeded", "")
    assert (run.total, run.processed, run.settled) == (LINES, LINES, LINES)
    assert (run.clawbacks, run.voided) == (0, 0)
    assert "resume_stalled_settlements" in tail(second.log, 100_000)
    per_line = LedgerTransaction.objects.values("commission").annotate(n=Count("id"))
    assert per_line.count() == LINES and {row["n"] for row in per_line} == {1}
    assert set(per_line.values_list("commission", flat=True)) == set(commission_ids)
    assert LedgerTransaction.objects.filter(settlement_run=run).count() == LINES
    unbalanced = (
        LedgerEntry.objects.values("transaction").annotate(total=Sum("amount")).exclude(total=0)
    )
    assert not unbalanced.exists()
    assert ledger_total() == 0
    assert set(Commission.objects.values_list("status", flat=True)) == {"settled"}
    assert set(Order.objects.values_list("status", flat=True)) == {"settled"}
    payable = LedgerEntry.objects.filter(account__kind="merchant_payable").aggregate(
        total=Sum("amount")
    )["total"]
    assert -payable == Commission.objects.aggregate(total=Sum("merchant_pays"))["total"]
