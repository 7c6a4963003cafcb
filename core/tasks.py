"""Celery tasks of the platform: thin shells that take ids and are safe to run twice."""

from celery import shared_task

from core import notifications
from core.services import record_heartbeat


@shared_task(name="core.tasks.beat_heartbeat")
def beat_heartbeat(name: str = "celery") -> int:
    return record_heartbeat(name=name).count


# No mail server: the claim was given back (nothing was sent), so try again three times, within
# 1, 2 and 4 minutes (jittered, so an outage's backlog does not return all at once); past that
# the sweeper tries every five minutes while the notice is under a day old.
@shared_task(
    name="core.tasks.email_notification",
    autoretry_for=(notifications.MailServerUnavailable,),
    max_retries=3,
    retry_backoff=60,
)
def email_notification(notification_id: int) -> int:
    """Mail a notice to its organisation's members; a second run sends nothing more."""
    return notifications.email_members(notification_id=notification_id)


@shared_task(name="core.tasks.resend_unmailed_notifications")
def resend_unmailed_notifications() -> int:
    """The sweeper: queue again notices whose on-commit message was lost."""
    return notifications.resend_unmailed(enqueue=email_notification.delay)
