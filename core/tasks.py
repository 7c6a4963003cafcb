from celery import shared_task

from core.services import record_heartbeat


@shared_task(name="core.tasks.beat_heartbeat")
def beat_heartbeat(name: str = "celery") -> int:
    return record_heartbeat(name=name).count
