"""Telling the other side: an in-portal notice for the organisation, and an email after commit."""

from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Organisation, User
from core.models import Notification


def notify(*, organisation: Organisation, kind: str, message: str, link: str = "") -> Notification:
    """Record a notice inside the caller's transaction; mail the members once it commits."""
    notification = Notification.objects.create(
        organisation=organisation, kind=kind, message=message[:500], link=link
    )
    transaction.on_commit(lambda: email_members(notification))
    return notification


def email_members(notification: Notification) -> None:
    recipients = list(
        User.objects.filter(organisation_id=notification.organisation_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if recipients:
        body = notification.message + (f"\n\n{notification.link}" if notification.link else "")
        send_mass_mail([(notification.message[:120], body, None, recipients)], fail_silently=True)


def notifications_for(*, organisation: Organisation | None) -> QuerySet[Notification]:
    if organisation is None:
        return Notification.objects.none()
    return Notification.objects.filter(organisation=organisation)


def unread_count(*, organisation: Organisation | None) -> int:
    return notifications_for(organisation=organisation).filter(read_at__isnull=True).count()


def mark_read(*, organisation: Organisation, ids: list[int] | None = None) -> int:
    """Mark some or all of an organisation's notices read; already-read ones stay as they were."""
    unread = notifications_for(organisation=organisation).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
