from django.db import models


class Heartbeat(models.Model):
    """Last time a named process proved it was alive (Celery worker, beat)."""

    name = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
