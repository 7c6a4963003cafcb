import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app
from core.models import Heartbeat
from core.tasks import beat_heartbeat
from tests.conftest import uses_postgresql

ROOT = Path(__file__).resolve().parents[2]


def test_tasks_of_every_app_are_discovered():
    app.loader.import_default_modules()

    assert "core.tasks.beat_heartbeat" in app.tasks
    assert "accounts.tasks.expire_stale_invitations" in app.tasks


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
        assert entry["options"]["expires"] > 0, name


@pytest.mark.django_db
@pytest.mark.skipif(not settings.CELERY_TASK_ALWAYS_EAGER, reason="Celery is not eager here")
def test_without_redis_tasks_run_in_process():
    beat_heartbeat.delay("eager")

    assert Heartbeat.objects.get(name="eager").count == 1


def database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.mark.worker
@pytest.mark.skipif(
    not (settings.REDIS_URL and uses_postgresql()),
    reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (bash .ci/run sets both)",
)
def test_a_real_worker_runs_a_task_against_redis(transactional_db):
    queue = f"test-{uuid.uuid4().hex[:12]}"
    name = f"worker-test-{queue}"
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL}
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--pool=solo", "-Q", queue, "--without-gossip", "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        beat_heartbeat.apply_async(args=[name], queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Heartbeat.objects.filter(name=name).exists():
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.25)
        assert Heartbeat.objects.get(name=name).count == 1
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert "Task core.tasks.beat_heartbeat[" in output and "succeeded" in output
