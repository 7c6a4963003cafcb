"""``manage.py settle_commissions [--as-of YYYY-MM-DD] [--batch-size N]``: run a settlement
in this process (the daily beat task does the same as of today) and print its counts."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from commissions.settlement import run_settlement


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {value!r}") from error


class Command(BaseCommand):
    help = "Settle every confirmed line past its settlement delay and post clawbacks."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=iso_date, help="default: today (Asia/Shanghai)")
        parser.add_argument(
            "--batch-size", type=int, default=None, help="default: SETTLEMENT_BATCH_SIZE"
        )

    def handle(self, *args, as_of=None, batch_size=None, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        as_of = as_of or timezone.localdate()
        run = run_settlement(as_of=as_of, batch_size=batch_size)
        self.stdout.write(
            f"Settlement run {run.pk} as of {run.as_of.isoformat()}: {run.settled} settled, "
            f"{run.clawbacks} clawbacks, {run.voided} voided "
            f"({run.processed} of {run.total} lines processed)."
        )
