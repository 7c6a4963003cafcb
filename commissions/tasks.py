"""Celery tasks of tracking, orders and money: thin shells over services, safe to run twice."""

from celery import shared_task

from commissions import click_buffer, order_csv, settlement
from commissions.selectors.statements import parse_month
from commissions.services import attribution, incentives

# --- links and clicks -------------------------------------------------------


@shared_task(name="commissions.tasks.flush_click_stream")
def flush_click_stream() -> int:
    """Beat, every 10 s: buffered clicks into the database; concurrent runs are harmless."""
    return click_buffer.flush()


# --- orders and attribution -------------------------------------------------


@shared_task(name="commissions.tasks.run_order_import")
def run_order_import(import_id: int) -> bool:
    """A large order CSV import; a second run of the same import does nothing."""
    return order_csv.run_order_import(import_id=import_id)


@shared_task(name="commissions.tasks.sweep_stalled_order_imports")
def sweep_stalled_order_imports() -> dict[str, int]:
    """Beat: re-send order imports whose message was lost or whose worker died."""
    return order_csv.sweep_stalled_imports(enqueue=run_order_import.delay)


@shared_task(name="commissions.tasks.retry_unattributed_lines")
def retry_unattributed_lines() -> dict[str, int]:
    """Beat: lines whose click id or link code was not found yet (orders of the last 7 days)."""
    return attribution.retry_unattributed_lines()


# --- incentives -------------------------------------------------------------


@shared_task(name="commissions.tasks.pay_incentives")
def pay_incentives(month: str | None = None) -> dict[str, int]:
    """Beat, monthly: pay the incentive programmes for ``month`` (YYYY-MM, default last
    month); what was paid already is skipped, so a repeated run pays nothing more."""
    run = incentives.pay_incentives(month=parse_month(month))
    return {"paid": run.paid, "credited": run.credited, "already_paid": run.already_paid}


# --- settlement -------------------------------------------------------------


@shared_task(name="commissions.tasks.settle_commissions")
def settle_commissions(run_id: int | None = None) -> dict[str, int]:
    """Beat, daily: settle as of today; with ``run_id``, an operator's large run. Safe twice
    and on several workers at once: lines are locked with SKIP LOCKED and posted once."""
    return settlement.settle_for_task(run_id=run_id)


@shared_task(name="commissions.tasks.resume_stalled_settlements")
def resume_stalled_settlements() -> list[int]:
    """Beat, every 5 min: send again the runs whose worker died (no progress for minutes)."""
    return settlement.resume_stalled_runs(enqueue=settle_commissions.delay)
