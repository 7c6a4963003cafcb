"""Telling the other side: an in-portal notice for the organisation, and an email after commit.

``notify`` records the notice inside the caller's transaction; once that commits, the notice's
id goes to the mail task (core.tasks.email_notification), so no request waits on the mail
server, and a bulk action that notifies 500 times answers as soon as its rows are saved.

core.tasks imports this module, never the reverse (import-linter: no circles, not even inside
a function). So the task is handed over instead: ``CoreConfig.ready()`` registers a call of
its ``delay`` with ``send_mail_with``, as the apps above matchmaking hand over their evidence.
Under eager Celery (tests without REDIS_URL) ``delay`` runs the task in-process after commit.

``email_members`` claims a notice with a conditional UPDATE of ``emailed_at``, so a repeated
message, a sweeper's re-send or two workers at once mail each member once per notice.
``resend_unmailed`` (the beat sweeper) queues again those whose on-commit message was lost.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.models import Notification

if TYPE_CHECKING:  # core sits below accounts: types only, no import at run time
    from accounts.models import Organisation

logger = logging.getLogger(__name__)

# Left unmailed this long after it was made, a notice lost its on-commit message (a crash
# between commit and enqueue, the broker down): the sweeper queues it again. Long enough for a
# busy queue to drain, so the sweeper does not pile copies on messages still waiting there.
RESEND_AFTER = timedelta(minutes=10)
# Older than this, an unmailed notice stays unmailed: mail about a day-old event is noise, and
# the notice is still in the portal.
MAIL_NO_LATER_THAN = timedelta(days=1)
RESEND_BATCH = 1000
# A worker never waits for ever on a mail server that does not answer (EMAIL_TIMEOUT wins).
MAIL_TIMEOUT_SECONDS = 30

Enqueue = Callable[[int], object]
_enqueue_mail: Enqueue | None = None


class MailServerUnavailable(Exception):
    """No connection to the mail server; nothing was sent and the claim was given back."""


def send_mail_with(enqueue: Enqueue) -> None:
    """Register how a notice's mail is queued: core.apps passes the Celery task's ``delay``
    (tests may pass their own, to see what a request leaves for the worker)."""
    global _enqueue_mail  # set once at start-up, before any request
    _enqueue_mail = enqueue


def notify(
    *, organisation: "Organisation", kind: str, message: str, link: str = ""
) -> Notification:
    """Record a notice inside the caller's transaction; queue its mail once that commits."""
    enqueue = _enqueue_mail
    if enqueue is None:
        raise RuntimeError("no mail queue registered: CoreConfig.ready() did not run")
    notification = Notification.objects.create(
        organisation=organisation, kind=kind, message=message[:500], link=link
    )
    # robust: the caller's work is committed; a broker down now must not turn it into an
    # error page. The failure is logged and the sweeper mails the notice later.
    transaction.on_commit(lambda: enqueue(notification.pk), robust=True)
    return notification


def email_members(*, notification_id: int) -> int:
    """Mail the notice, one message per active member with an address, once per notice.

    The conditional UPDATE of ``emailed_at`` is the claim: only the run that changed the row
    goes on, so a second run, a re-send by the sweeper or two workers at once send nothing
    more. Each member gets a message of their own (no one sees a teammate's address), all
    sent over one connection. Returns how many messages went out.

    At least once where that cannot duplicate: when no connection to the mail server opens,
    nothing was sent, so the claim is given back and ``MailServerUnavailable`` raised; the task
    retries a few times, then the sweeper every few minutes while the notice is under a day
    old (bounded). Once messages start going out the claim stays: a member whose own message
    fails is logged and skipped, because giving the claim back would mail everyone else
    twice. A worker killed between claim and send loses the mail; the notice stays in the
    portal.
    """
    claimed_at = timezone.now()
    unclaimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True)
    if not unclaimed.update(emailed_at=claimed_at):
        return 0
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:  # its organisation was deleted in between
        return 0
    messages = [
        (member, message_to(address, notification)) for member, address in recipients(notification)
    ]
    if not messages:
        return 0
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT or MAIL_TIMEOUT_SECONDS)
    try:
        connection.open()
    except OSError as error:  # smtplib's errors are OSErrors too
        Notification.objects.filter(pk=notification_id, emailed_at=claimed_at).update(
            emailed_at=None
        )
        raise MailServerUnavailable(f"notice {notification_id}: {error}") from error
    try:
        return sum(send_one(connection, member_id, message) for member_id, message in messages)
    finally:
        connection.close()


def recipients(notification: Notification) -> list[tuple[int, str]]:
    """(user id, address) of the organisation's active members that have an address."""
    members = (
        get_user_model()
        .objects.filter(organisation_id=notification.organisation_id, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", "email")
    )
    seen: set[str] = set()
    found = []
    for member_id, address in members:
        if address.lower() not in seen:
            seen.add(address.lower())
            found.append((member_id, address))
    return found


def message_to(address: str, notification: Notification) -> EmailMessage:
    body = notification.message + (f"\n\n{notification.link}" if notification.link else "")
    return EmailMessage(subject=notification.message[:120], body=body, to=[address])


def send_one(connection: BaseEmailBackend, member_id: int, message: EmailMessage) -> int:
    try:
        return connection.send_messages([message]) or 0
    except OSError:
        logger.warning("notice mail to user %s failed; not sent again", member_id, exc_info=True)
        return 0


def resend_unmailed(*, enqueue: Enqueue) -> int:
    """Queue again the mail of notices left unmailed past ``RESEND_AFTER`` but younger than
    ``MAIL_NO_LATER_THAN``, so a lost message is made good and an old one never goes out.
    Safe to run twice: the mail task's claim sends each notice once."""
    now = timezone.now()
    lost = list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__lt=now - RESEND_AFTER,
            created_at__gte=now - MAIL_NO_LATER_THAN,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:RESEND_BATCH]
    )
    for notification_id in lost:
        enqueue(notification_id)
    return len(lost)


def notifications_for(*, organisation: "Organisation | None") -> QuerySet[Notification]:
    if organisation is None:
        return Notification.objects.none()
    return Notification.objects.filter(organisation=organisation)


def unread_count(*, organisation: "Organisation | None") -> int:
    return notifications_for(organisation=organisation).filter(read_at__isnull=True).count()


def mark_read(*, organisation: "Organisation", ids: list[int] | None = None) -> int:
    """Mark some or all of an organisation's notices read; already-read ones stay as they were."""
    unread = notifications_for(organisation=organisation).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
