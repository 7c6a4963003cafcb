from celery import shared_task

from accounts.services import expire_stale_invitations as expire


@shared_task(name="accounts.tasks.expire_stale_invitations")
def expire_stale_invitations() -> int:
    return expire()
