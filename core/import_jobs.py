"""The life of a large CSV import run as a Celery task, shared by every kind of import.

An import row (an ImportJob: ProductImport, OrderImport) is queued with the uploaded text and
sent to its task once the transaction commits. It is claimed with a conditional UPDATE
queued -> running, so a repeated or duplicated message finds nothing to do. Its
rows land in one transaction, so nothing is ever half-written: a run whose
worker died can go back in the queue, and a message lost before it reached a
worker is sent again by the sweeper.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from core.csv_upload import CsvRejected, RowError
from core.errors import DomainError

QUEUED_TOO_LONG = timedelta(minutes=5)
RUNNING_TOO_LONG = timedelta(minutes=30)


def queue(
    model: type[Model],
    *,
    merchant,
    by,
    filename: str,
    text: str,
    total_rows: int,
    enqueue: Callable[[int], None],
) -> Model:
    """Keep the upload as a queued import; its task is sent once the row is committed."""
    with transaction.atomic():
        job = model.objects.create(
            merchant=merchant,
            created_by=by,
            filename=filename[:255],
            content=text,
            total_rows=total_rows,
        )
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def finish(
    model: type[Model], import_id: int, *, counts: dict | None = None, errors: list | None = None
) -> None:
    """Record the outcome (``counts`` of a success, or ``errors``) and drop the kept file."""
    outcome: dict[str, Any] = {"content": "", "finished_at": timezone.now()}
    if counts is not None:
        outcome.update(status="succeeded", **counts)
    else:
        outcome.update(status="failed", errors=errors or [])
    model.objects.filter(pk=import_id).update(**outcome)


def run_claimed(
    *,
    model: type[Model],
    import_id: int,
    process: Callable[[Any], None],
    finish: Callable[..., None],
) -> bool:
    """Run a queued import once; ``finish(import_id, errors=[...])`` records a failure."""
    claimed = model.objects.filter(pk=import_id, status="queued")
    if not claimed.update(status="running", started_at=timezone.now()):
        return False
    job = model.objects.select_related("merchant").get(pk=import_id)
    try:
        process(job)
    except CsvRejected as rejected:
        finish(import_id, errors=[error.as_dict() for error in rejected.errors])
    except DomainError as error:
        finish(import_id, errors=[RowError(None, error.field, error.message).as_dict()])
    except Exception:
        message = _("The import stopped unexpectedly; nothing was imported. Upload the file again.")
        finish(import_id, errors=[RowError(None, None, message).as_dict()])
        raise
    return True


def sweep_stalled(*, model: type[Model], enqueue: Callable[[int], None]) -> dict[str, int]:
    """Put runs whose worker died (running half an hour) back in the queue and re-send
    imports queued for minutes; safe to run twice, the claim keeps one run at a time."""
    now = timezone.now()
    revived = model.objects.filter(status="running", started_at__lt=now - RUNNING_TOO_LONG).update(
        status="queued", processed_rows=0
    )
    waiting = list(
        model.objects.filter(status="queued", created_at__lt=now - QUEUED_TOO_LONG).values_list(
            "pk", flat=True
        )
    )
    for import_id in waiting:
        enqueue(import_id)
    return {"revived": revived, "resent": len(waiting)}
