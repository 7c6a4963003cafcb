from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        from core import (
            checks,  # noqa: F401  (registers the deploy checks)
            notifications,
            tasks,
        )

        # The task module imports notifications, so the mail task is handed over here rather
        # than imported there (no import circle): notify() queues it once its row commits.
        # Looked up at each call: touching the task now would finalize Celery's app mid start-up.
        notifications.send_mail_with(
            lambda notification_id: tasks.email_notification.delay(notification_id)
        )
