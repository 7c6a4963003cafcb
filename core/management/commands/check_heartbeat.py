"""Exit non-zero if a process has not stamped its heartbeat lately (compose healthchecks)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import Heartbeat


class Command(BaseCommand):
    help = "Fail when the named heartbeat is older than --max-age seconds."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--max-age", type=int, default=180)

    def handle(self, *args, name: str, max_age: int, **options):
        cutoff = timezone.now() - timedelta(seconds=max_age)
        if not Heartbeat.objects.filter(name=name, seen_at__gte=cutoff).exists():
            raise CommandError(f"no heartbeat '{name}' in the last {max_age}s")
        self.stdout.write(f"heartbeat '{name}' is fresh")
