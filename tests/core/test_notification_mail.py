"""Notice mail: queued once the notice commits, sent by a task, one message per member, once."""

import socket
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core import notifications
from core.models import Notification
from core.notifications import MailServerUnavailable, email_members, notify
from core.tasks import email_notification, resend_unmailed_notifications
from influencers.models import SampleRequest
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_celery(settings):
    """A queued task runs here in-process, with or without REDIS_URL."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def queued(monkeypatch):
    """Notice ids handed to the mail queue, kept here instead of sent to Celery: what a request
    leaves for the worker when Celery is not eager (production, Redis)."""
    ids: list[int] = []
    monkeypatch.setattr(notifications, "_enqueue_mail", ids.append)
    return ids


def made(organisation, *, minutes_ago: float, emailed: bool = False) -> Notification:
    notification = Notification.objects.create(
        organisation=organisation, kind="k", message=f"{minutes_ago} minutes old"
    )
    created_at = timezone.now() - timedelta(minutes=minutes_ago)
    Notification.objects.filter(pk=notification.pk).update(
        created_at=created_at, emailed_at=created_at if emailed else None
    )
    return notification


def test_it_mails_each_member_a_message_of_their_own_once_the_notice_commits(
    merchant, django_capture_on_commit_callbacks
):
    teammate = UserFactory(organisation=merchant.organisation)

    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            organisation=merchant.organisation,
            kind="sample.requested",
            message="Shop 7 asks for a sample of Linen dress.",
            link="/samples/3/",
        )
        assert mail.outbox == []  # nothing before the commit

    assert sorted(message.to for message in mail.outbox) == sorted(
        [[merchant.email], [teammate.email]]
    )
    for message in mail.outbox:
        assert message.subject == "Shop 7 asks for a sample of Linen dress."
        assert message.body == "Shop 7 asks for a sample of Linen dress.\n\n/samples/3/"
        assert message.from_email == django_settings.DEFAULT_FROM_EMAIL
        assert message.cc == message.bcc == []
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_subject_is_the_first_120_characters_and_a_notice_without_link_has_no_tail(merchant):
    notification = notify(organisation=merchant.organisation, kind="k", message="x" * 300)

    assert email_notification.apply(args=[notification.pk]).get() == 1

    (message,) = mail.outbox
    assert message.subject == "x" * 120
    assert message.body == "x" * 300


def test_it_answers_the_bulk_approve_before_any_mail_and_leaves_one_task_per_notice(
    api, buyer, queued, django_capture_on_commit_callbacks
):
    teammate = UserFactory(organisation=buyer.organisation)
    first = EnrollmentFactory(status="approved")
    second = EnrollmentFactory(status="approved", product__merchant=first.product.merchant)
    merchant_user = UserFactory(organisation=first.product.merchant)
    asked = [
        SampleRequest.objects.create(
            buyer=buyer.organisation, enrollment=enrollment, approve_by=timezone.now()
        ).pk
        for enrollment in (first, second)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_member(merchant_user).post(
            "/api/v1/sample-requests/bulk-approve/", {"ids": asked}, format="json"
        )

    assert response.json() == {"approved": sorted(asked), "refused": {}}
    assert mail.outbox == []
    notices = list(
        Notification.objects.filter(kind="sample.approved")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert queued == notices and len(notices) == 2

    assert [email_notification.apply(args=[pk]).get() for pk in queued] == [2, 2]
    assert sorted(message.to for message in mail.outbox) == sorted(
        [[buyer.email], [teammate.email]] * 2
    )


def test_running_the_task_twice_sends_nothing_more(merchant):
    UserFactory(organisation=merchant.organisation)
    notification = notify(organisation=merchant.organisation, kind="k", message="Once")

    assert email_notification.apply(args=[notification.pk]).get() == 2
    assert email_notification.apply(args=[notification.pk]).get() == 0
    assert len(mail.outbox) == 2


def test_members_without_an_address_inactive_or_elsewhere_get_nothing(merchant, buyer):
    UserFactory(organisation=merchant.organisation, email="")
    UserFactory(organisation=merchant.organisation, is_active=False)
    notification = notify(organisation=merchant.organisation, kind="k", message="Only you")

    assert email_notification.apply(args=[notification.pk]).get() == 1
    assert [message.to for message in mail.outbox] == [[merchant.email]]


def test_a_notice_nobody_can_receive_is_still_claimed(member_factory):
    lonely = member_factory(email="")
    notification = notify(organisation=lonely.organisation, kind="k", message="Nobody")

    assert email_notification.apply(args=[notification.pk]).get() == 0
    notification.refresh_from_db()
    assert notification.emailed_at is not None  # so the sweeper leaves it alone
    assert mail.outbox == []


def test_a_task_for_a_deleted_notice_does_nothing():
    assert email_notification.apply(args=[2**40]).get() == 0


def test_the_sweeper_mails_a_lost_notice_and_skips_fresh_old_and_mailed_ones(merchant):
    organisation = merchant.organisation
    lost = made(organisation, minutes_ago=20)
    waiting = made(organisation, minutes_ago=1)  # its message may still be in the queue
    stale = made(organisation, minutes_ago=60 * 25)  # more than a day: never mailed now
    mailed = made(organisation, minutes_ago=30, emailed=True)

    assert resend_unmailed_notifications.apply().get() == 1

    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([merchant.email], "20 minutes old")
    ]
    emailed = dict(Notification.objects.values_list("pk", "emailed_at"))
    assert emailed[lost.pk] is not None
    assert emailed[waiting.pk] is None
    assert emailed[stale.pk] is None
    assert emailed[mailed.pk] is not None
    assert resend_unmailed_notifications.apply().get() == 0
    assert len(mail.outbox) == 1


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_without_a_mail_server_the_claim_is_given_back_and_the_sweeper_sends_it_later(
    settings, merchant
):
    notification = notify(organisation=merchant.organisation, kind="k", message="Later")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()

    settings.CELERY_TASK_EAGER_PROPAGATES = False  # so the eager retries run here, at once

    result = email_notification.apply(args=[notification.pk])

    assert result.state == "FAILURE" and isinstance(result.result, MailServerUnavailable)

    notification.refresh_from_db()
    assert notification.emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(minutes=15)
    )
    assert resend_unmailed_notifications.apply().get() == 1
    assert [message.to for message in mail.outbox] == [[merchant.email]]


def test_a_broker_down_at_commit_keeps_the_saved_work_and_the_sweeper_mails_later(
    transactional_db, merchant, monkeypatch, caplog
):
    def broker_down(notification_id: int) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(notifications, "_enqueue_mail", broker_down)
    with transaction.atomic():
        notification = notify(organisation=merchant.organisation, kind="k", message="Lost")

    assert "broker unreachable" in caplog.text  # logged, not raised into the request
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(minutes=15)
    )
    assert mail.outbox == []
    assert resend_unmailed_notifications.apply().get() == 1
    assert [message.to for message in mail.outbox] == [[merchant.email]]


def test_the_sweeper_runs_every_few_minutes_and_expires():
    entry = django_settings.CELERY_BEAT_SCHEDULE["resend-unmailed-notifications"]

    assert entry["task"] == "core.tasks.resend_unmailed_notifications"
    assert 0 < entry["options"]["expires"] < 5 * 60


@pytest.mark.skipif(
    not uses_postgresql(),
    reason="SQLite has no row locks and one writer at a time (bash .ci/run uses PostgreSQL)",
)
def test_four_workers_at_once_mail_each_member_once(transactional_db, merchant):
    UserFactory(organisation=merchant.organisation)
    notification = Notification.objects.create(
        organisation=merchant.organisation, kind="k", message="Raced"
    )

    outcomes = run_together(*[lambda: email_members(notification_id=notification.pk)] * 4)

    assert sorted(outcomes) == [0, 0, 0, 2]
    assert len(mail.outbox) == 2
