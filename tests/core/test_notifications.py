import pytest
from django.core import mail

from core.models import Notification
from core.notifications import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_notice_reaches_every_member_by_mail_after_commit(
    merchant, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the mail task runs here, with or without Redis
    teammate = UserFactory(organisation=merchant.organisation)

    with django_capture_on_commit_callbacks(execute=True):
        notify(organisation=merchant.organisation, kind="sample.requested", message="New sample")

    # One message each (tests/core/test_notification_mail.py has the rest of the mail rules).
    assert sorted(message.to for message in mail.outbox) == sorted(
        [[merchant.email], [teammate.email]]
    )


def test_the_api_lists_only_the_callers_notices_and_marks_them_read(api, merchant, buyer):
    mine = notify(organisation=merchant.organisation, kind="k", message="Yours")
    notify(organisation=buyer.organisation, kind="k", message="Theirs")
    client = api.as_member(merchant)

    body = client.get("/api/v1/notifications/?unread=1").json()
    assert [row["message"] for row in body["results"]] == ["Yours"]

    assert client.post("/api/v1/notifications/mark-read/", {}, format="json").json() == {
        "marked": 1
    }
    assert client.get("/api/v1/notifications/?unread=1").json()["count"] == 0
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_the_portal_shows_the_unread_count_then_the_list(client, buyer):
    notify(organisation=buyer.organisation, kind="k", message="Sample shipped", link="/x/")
    client.force_login(buyer)

    assert '<span class="count">1</span>' in client.get("/").content.decode()
    page = client.get("/notifications/").content.decode()
    assert "Sample shipped" in page
    assert '<span class="count">' not in client.get("/").content.decode()
