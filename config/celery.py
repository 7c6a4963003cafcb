import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
# Settings named CELERY_* configure the app; the beat schedule lives in settings too.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
