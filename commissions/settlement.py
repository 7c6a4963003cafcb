"""Settlement: post every due commission to the ledger once, and claw back what changed after.

Rules (DESIGN.md "Money", issue 6 "Settlement"):

- A commission is **due** when its order is confirmed (``confirmed_at`` set, order not
  cancelled: a partly refunded order that was confirmed counts) and the order's confirmed
  date in the platform's time zone plus its campaign's ``settlement_delay_days`` is on or
  before ``as_of``, and it is estimated or settleable and was never posted.
- A settled commission whose split changed since it was posted (``revision`` above
  ``posted_revision``, e.g. a refund after settlement; or turned void while it still has
  posted figures) gets a **clawback**: the difference, in the next run, whatever ``as_of``.
  A void commission counts as zero, so a cancellation after settlement reverses everything.
- Each posting is one balanced ledger transaction of the deltas (current minus posted):
  merchant payable -merchant_pays, buyer earnings +buyer_net, provider fees +provider_net
  (and the upstream provider's +upstream_net), platform revenue +platform_fee; zero
  amounts are left out. Its ``reference`` is unique and deterministic
  (``commission:<id>:r<revision>``, ``...:void`` for a void reversal), so the same
  posting twice fails in the database instead of paying twice.
- A due commission with nothing left to pay (merchant_pays 0.00) is set void, not posted.
- Afterwards ``posted_*`` equal the current figures (zero for void), ``posted_revision``
  the revision, status settled (void stays void), ``settled_at`` the first settlement.
- An order in status **confirmed** whose commissions are all settled or void moves to
  settled. Refunded and cancelled orders keep their status: it says what the storefront
  did, and their lines' commissions say what was settled.

How: batches of ``batch_size`` candidates in id order, each in its own transaction, locked
with ``SELECT ... FOR UPDATE SKIP LOCKED`` (the commission and its order row), so several
workers share the work without waiting and never take the same line. Per batch a fixed
number of statements, whatever its size: the locking select, the accounts (fetch, and only
when some are missing one insert and a refetch), one INSERT of the transactions (ids
returned), one INSERT of all their entries (the PostgreSQL trigger checks every touched
transaction balances), one UPDATE of the commissions, one UPDATE of the orders, one UPDATE
of the run's progress (and its ``heartbeat_at``). A crash loses at most the batch in flight;
running again settles what is left and nothing twice. A running run whose worker died goes
quiet; beat sends it again (``resume_stalled_runs``) and the new worker carries it on.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from commissions.locks import lock_commission_rows
from commissions.models import (
    Account,
    Commission,
    LedgerEntry,
    LedgerTransaction,
    Order,
    SettlementRun,
)
from core.errors import DomainError, ensure
from matchmaking.models import Campaign

ZERO = Decimal("0.00")
Status = Commission.Status
Kind = Account.Kind
SETTLE_FROM = (Status.ESTIMATED, Status.SETTLEABLE)
FIGURES = ("buyer_net", "provider_net", "upstream_net", "platform_fee", "merchant_pays")
ROW_FIELDS = (
    "id", "status", "revision", "settled_at", "order_id", "merchant_id", "buyer_id",
    "provider_id", "upstream_provider_id", *FIGURES, *(f"posted_{name}" for name in FIGURES),
)  # fmt: skip
VOID_NOTHING_LEFT = gettext_noop("Nothing was left to pay when the line became due.")

AccountKey = tuple[int | None, str]


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def due_filter(as_of: date) -> Q:
    """Confirmed local date + the campaign's delay <= as_of, i.e. confirmed before the local
    midnight after ``as_of - delay``; one bound per delay in use (there are few)."""
    delays = Campaign.objects.order_by().values_list("settlement_delay_days", flat=True).distinct()
    due = Q(pk__in=[])
    for delay in sorted(set(delays)):
        before = local_midnight(as_of - timedelta(days=delay - 1))
        due |= Q(enrollment__campaign__settlement_delay_days=delay, order__confirmed_at__lt=before)
    return due


def never_posted() -> Q:
    return Q(settled_at__isnull=True, posted_merchant_pays=0)


def candidates(as_of: date) -> QuerySet[Commission]:
    """Every commission the run would post as of ``as_of``: due ones and clawbacks."""
    settle = (
        Q(status__in=SETTLE_FROM, order__confirmed_at__isnull=False)
        & never_posted()
        & ~Q(order__status=Order.Status.CANCELLED)
        & due_filter(as_of)
    )
    changed = Q(revision__gt=F("posted_revision")) | (
        Q(status=Status.VOID) & ~Q(posted_merchant_pays=0)
    )
    return Commission.objects.filter(settle | (~never_posted() & changed))


@dataclass
class Batch:
    """What one batch did."""

    last_id: int = 0
    processed: int = 0
    outcomes: Counter = field(default_factory=Counter)


@dataclass
class Posting:
    commission_id: int
    kind: str
    reference: str
    entries: list[tuple[AccountKey, Decimal]]


def plan(row: dict) -> tuple[str, Posting | None]:
    """The outcome of one locked commission row: settled, clawback, voided or unchanged."""
    void = row["status"] == Status.VOID
    delta = {name: (ZERO if void else row[name]) - row[f"posted_{name}"] for name in FIGURES}
    first = row["settled_at"] is None and row["posted_merchant_pays"] == 0
    if first and row["merchant_pays"] == 0:
        return "voided", None
    if not any(delta.values()):
        return "unchanged", None
    entries = [
        ((row["merchant_id"], Kind.MERCHANT_PAYABLE), -delta["merchant_pays"]),
        ((row["buyer_id"], Kind.BUYER_EARNINGS), delta["buyer_net"]),
        ((row["provider_id"], Kind.PROVIDER_FEES), delta["provider_net"]),
        ((row["upstream_provider_id"], Kind.PROVIDER_FEES), delta["upstream_net"]),
        ((None, Kind.PLATFORM_REVENUE), delta["platform_fee"]),
    ]
    entries = [(key, amount) for key, amount in entries if amount != 0]
    if sum(amount for _, amount in entries) != 0 or (
        delta["upstream_net"] and row["upstream_provider_id"] is None
    ):
        raise ValueError(f"commission {row['id']}: its split does not balance")
    reference = f"commission:{row['id']}:r{row['revision']}" + (":void" if void else "")
    outcome = "settled" if first else "clawbacks"
    kind = LedgerTransaction.Kind.SETTLEMENT if first else LedgerTransaction.Kind.CLAWBACK
    return outcome, Posting(row["id"], kind, reference, entries)


def accounts_for(keys: set[AccountKey]) -> dict[AccountKey, int]:
    """Account ids by (organisation id or None, kind): one fetch, and for missing accounts
    one insert (in a fixed order, conflicts ignored: another worker may create them) and
    one refetch."""

    def fetch() -> dict[AccountKey, int]:
        organisations = {organisation for organisation, _ in keys if organisation is not None}
        rows = Account.objects.filter(
            Q(organisation_id__in=organisations) | Q(organisation__isnull=True)
        ).values_list("organisation_id", "kind", "id")
        return {(organisation, kind): pk for organisation, kind, pk in rows}

    found = fetch()
    missing = keys - found.keys()
    if missing:
        ordered = sorted(missing, key=lambda key: (key[0] or 0, key[1]))
        Account.objects.bulk_create(
            [Account(organisation_id=organisation, kind=kind) for organisation, kind in ordered],
            ignore_conflicts=True,
        )
        found = fetch()
    return found


def write_ledger(postings: list[Posting], *, run: SettlementRun, by: User | None) -> None:
    """All transactions of the batch in one INSERT, then all their entries in one INSERT."""
    if not postings:
        return
    at = timezone.now()
    accounts = accounts_for({key for posting in postings for key, _ in posting.entries})
    ids = insert_transactions(postings, run=run, by=by, at=at)
    entries = [
        (ids[posting.reference], accounts[key], amount)
        for posting in postings
        for key, amount in posting.entries
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(INSERT_ENTRIES, [at, *map(list, zip(*entries, strict=True))])
    else:
        LedgerEntry.objects.bulk_create(
            LedgerEntry(transaction_id=posted, account_id=account, amount=amount, posted_at=at)
            for posted, account, amount in entries
        )


# On PostgreSQL the two INSERTs are written out (the statements bulk_create builds, from
# arrays), which spares building a model instance per row: 3x faster at 1,000 lines a batch.
INSERT_TRANSACTIONS = """
    INSERT INTO commissions_ledgertransaction
        (kind, reference, memo, commission_id, settlement_run_id, created_by_id, posted_at)
    SELECT kind, reference, kind || ' of commission ' || commission, commission, %s, %s, %s
    FROM unnest(%s::varchar[], %s::varchar[], %s::bigint[]) AS t(kind, reference, commission)
    RETURNING reference, id
"""
INSERT_ENTRIES = """
    INSERT INTO commissions_ledgerentry (transaction_id, account_id, amount, posted_at)
    SELECT e.transaction, e.account, e.amount, %s
    FROM unnest(%s::bigint[], %s::bigint[], %s::numeric[]) AS e(transaction, account, amount)
"""


def insert_transactions(postings: list[Posting], *, run, by, at: datetime) -> dict[str, int]:
    """One INSERT of the batch's transactions; their ids by reference."""
    if connection.vendor == "postgresql":
        columns = [[p.kind for p in postings], [p.reference for p in postings]]
        columns.append([p.commission_id for p in postings])
        with connection.cursor() as cursor:
            cursor.execute(INSERT_TRANSACTIONS, [run.pk, by and by.pk, at, *columns])
            return dict(cursor.fetchall())
    created = LedgerTransaction.objects.bulk_create(
        LedgerTransaction(
            kind=p.kind, reference=p.reference, commission_id=p.commission_id,
            settlement_run=run, created_by=by, posted_at=at,
            memo=f"{p.kind} of commission {p.commission_id}",
        )
        for p in postings
    )  # fmt: skip
    return {posted.reference: posted.pk for posted in created}


def mark_posted(ids: list[int], voided: list[int]) -> None:
    """One UPDATE: posted figures become the current ones (zero when void), status settled
    (void stays void; ``voided`` become void), first settlement time kept."""
    now = timezone.now()
    is_void, first = Q(status=Status.VOID), Q(settled_at__isnull=True)
    changes = {}
    if voided:
        is_void, first = is_void | Q(pk__in=voided), first & ~Q(pk__in=voided)
        changes["void_reason"] = Case(
            When(pk__in=voided, then=Value(VOID_NOTHING_LEFT)), default=F("void_reason")
        )
    for name in FIGURES:
        changes[f"posted_{name}"] = Case(When(is_void, then=Value(ZERO)), default=F(name))
    Commission.objects.filter(pk__in=ids).update(
        **changes,
        posted_revision=F("revision"),
        status=Case(When(is_void, then=Value(Status.VOID)), default=Value(Status.SETTLED)),
        settled_at=Case(When(first, then=Value(now)), default=F("settled_at")),
        updated_at=now,
    )


def settle_orders(order_ids: set[int]) -> None:
    """Confirmed orders of the batch whose commissions are all settled or void move to
    settled. The batch holds these orders' row locks, so a worker that settled an order's
    other lines earlier has committed, and this statement (a fresh snapshot) sees it."""
    unsettled = Commission.objects.filter(order_id__in=order_ids, status__in=SETTLE_FROM)
    Order.objects.filter(pk__in=order_ids, status=Order.Status.CONFIRMED).exclude(
        pk__in=unsettled.values("order_id")
    ).update(status=Order.Status.SETTLED, updated_at=timezone.now())


def next_batch(pending: QuerySet[Commission], *, after: int, size: int) -> list[dict]:
    """The next candidates after id ``after``, locked with their orders; rows another worker
    (or the order service) holds are skipped, not waited for."""
    rows = pending.filter(pk__gt=after).order_by("pk").values_list(*ROW_FIELDS)[:size]
    return lock_commission_rows(rows, fields=ROW_FIELDS)


def settle_batch(
    pending: QuerySet[Commission], *, run: SettlementRun, after: int, size: int, by: User | None
) -> Batch:
    """Lock, post and mark one batch, in one transaction."""
    with transaction.atomic():
        rows = next_batch(pending, after=after, size=size)
        if not rows:
            return Batch(last_id=after)
        batch = Batch(last_id=rows[-1]["id"], processed=len(rows))
        postings, voided = [], []
        for row in rows:
            outcome, posting = plan(row)
            batch.outcomes[outcome] += 1
            if posting:
                postings.append(posting)
            elif outcome == "voided":
                voided.append(row["id"])
        write_ledger(postings, run=run, by=by)
        mark_posted([row["id"] for row in rows], voided)
        settle_orders({row["order_id"] for row in rows})
        SettlementRun.objects.filter(pk=run.pk).update(
            heartbeat_at=timezone.now(),
            processed=F("processed") + batch.processed,
            **{name: F(name) + batch.outcomes[name] for name in ("settled", "clawbacks", "voided")},
        )
        return batch


def run_settlement(
    *,
    as_of: date,
    run: SettlementRun | None = None,
    by: User | None = None,
    batch_size: int | None = None,
) -> SettlementRun:
    """Settle every due commission and post every clawback as of ``as_of`` (the module
    docstring has the rules). Safe to run twice and on several workers at once; ``run``
    continues a run already created (its counts add up)."""
    if run is None:
        run = SettlementRun.objects.create(as_of=as_of, requested_by=by)
    pending = candidates(as_of)
    run.total = run.processed + pending.count()
    run.status, run.finished_at, run.error = SettlementRun.Status.RUNNING, None, ""
    run.heartbeat_at = timezone.now()
    run.save(update_fields=["total", "status", "finished_at", "error", "heartbeat_at"])
    try:
        sweep(pending, run=run, size=batch_size or settings.SETTLEMENT_BATCH_SIZE, by=by)
    except Exception as error:
        finish(run, SettlementRun.Status.FAILED, error=f"{type(error).__name__}: {error}")
        raise
    return finish(run, SettlementRun.Status.SUCCEEDED)


def sweep(pending: QuerySet[Commission], *, run: SettlementRun, size: int, by) -> None:
    """Walk the candidates in id order; then from the start again while a pass found work
    (rows that were locked by another worker or the order service as the cursor passed)."""
    while True:
        after, found = 0, 0
        while True:
            batch = settle_batch(pending, run=run, after=after, size=size, by=by)
            if not batch.processed:
                break
            after, found = batch.last_id, found + batch.processed
        if not found:
            return


def finish(run: SettlementRun, status: str, *, error: str = "") -> SettlementRun:
    SettlementRun.objects.filter(pk=run.pk).update(
        status=status, error=error[:2000], finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


# --- starting runs: the operator's "run now", the daily beat --------------------------------

STALLED_AFTER = timedelta(hours=6)


def start_settlement(
    *, as_of: date | None = None, by: User | None = None, enqueue: Callable[[int], object]
) -> SettlementRun:
    """An operator's run (API and portal). Rule: never as of a future date (the return
    window would not have passed). Up to ``SETTLEMENT_SYNC_MAX_LINES`` lines it runs in the
    request and comes back finished; a larger one comes back running, and ``enqueue(run id)``
    (the Celery task, passed in by the caller) is sent on commit to do the work (its progress
    shows on the run)."""
    today = timezone.localdate()
    as_of = as_of or today
    ensure(
        as_of <= today,
        DomainError(_("A settlement cannot be dated after today."), field="as_of"),
    )
    pending = candidates(as_of).count()
    run = SettlementRun.objects.create(as_of=as_of, requested_by=by, total=pending)
    if pending <= settings.SETTLEMENT_SYNC_MAX_LINES:
        return run_settlement(as_of=as_of, run=run, by=by)
    transaction.on_commit(lambda: enqueue(run.pk))
    return run


def settle_for_task(*, run_id: int | None = None) -> dict[str, int]:
    """The Celery task: continue the operator's run ``run_id`` (a repeated message for a
    finished run does nothing), or without one, the daily run as of today, after closing
    runs that stopped reporting (their worker died; this run takes what they left)."""
    if run_id is not None:
        run = SettlementRun.objects.filter(pk=run_id, status=SettlementRun.Status.RUNNING).first()
        if run is None:
            return {}
        run = run_settlement(as_of=run.as_of, run=run, by=run.requested_by)
    else:
        close_stalled_runs()
        run = run_settlement(as_of=timezone.localdate())
    return {"run": run.pk, "settled": run.settled, "clawbacks": run.clawbacks, "voided": run.voided}


def close_stalled_runs() -> int:
    """Runs still running STALLED_AFTER after they started (resuming them did not help) are
    failed; the daily run that calls this takes what they left."""
    stalled = SettlementRun.objects.filter(
        status=SettlementRun.Status.RUNNING, started_at__lt=timezone.now() - STALLED_AFTER
    )
    return stalled.update(
        status=SettlementRun.Status.FAILED,
        finished_at=timezone.now(),
        error="Stopped reporting progress; the next run settles what it left.",
    )


def resume_stalled_runs(*, enqueue: Callable[[int], object]) -> list[int]:
    """Beat: send again every running run that has reported no progress for
    ``SETTLEMENT_RESUME_AFTER_SECONDS`` (its worker died, or its message was lost); the ids.

    With late acks the dead worker's message would come back by itself only after the
    broker's visibility timeout (an hour on Redis), while the operator watches a frozen bar.
    A batch takes well under a second, so minutes of silence mean nobody is working on it.
    Re-sending stamps ``heartbeat_at``: a run is sent again once per quiet period, and of two
    sweepers at once only one sends it. A duplicate message is harmless: lines are locked
    with SKIP LOCKED and posted once, and a finished run's message does nothing. ``enqueue``
    is the settlement task (the task module passes it: it imports this one)."""

    now = timezone.now()
    quiet = now - timedelta(seconds=settings.SETTLEMENT_RESUME_AFTER_SECONDS)
    silent = SettlementRun.objects.filter(status=SettlementRun.Status.RUNNING).filter(
        Q(heartbeat_at__lt=quiet) | Q(heartbeat_at__isnull=True, started_at__lt=quiet)
    )
    resumed = [
        run_id
        for run_id in silent.values_list("pk", flat=True)
        if silent.filter(pk=run_id).update(heartbeat_at=now)
    ]
    for run_id in resumed:
        transaction.on_commit(lambda run_id=run_id: enqueue(run_id))
    return resumed
