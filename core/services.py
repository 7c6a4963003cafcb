from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import Heartbeat


def record_heartbeat(*, name: str) -> Heartbeat:
    """Stamp the named process as alive; safe from many workers at once."""
    with transaction.atomic():
        beat, _ = Heartbeat.objects.get_or_create(name=name, defaults={"seen_at": timezone.now()})
        Heartbeat.objects.filter(pk=beat.pk).update(seen_at=timezone.now(), count=F("count") + 1)
    beat.refresh_from_db()
    return beat
