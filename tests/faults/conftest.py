import shutil
import tempfile
from pathlib import Path

import pytest

from config.celery import app
from tests.faults.support import PrivateRedis, Processes, free_port


@pytest.fixture(autouse=True)
def default_task_queue():
    """Fault tests run workers of their own on private brokers, listening on Celery's default
    queue: send there, not to the session's own queue of the shared Redis (tests/conftest.py)."""
    session_queue = app.conf.task_default_queue
    app.conf.task_default_queue = "celery"
    yield
    app.conf.task_default_queue = session_queue


@pytest.fixture
def workdir():
    """A temporary directory of the test's own (logs, Redis and PostgreSQL data), removed
    afterwards."""
    path = Path(tempfile.mkdtemp(prefix="fault-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def processes(workdir):
    """Starts the test's processes; every one is stopped at the end, even after a failure."""
    started = Processes(workdir)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def private_redis(processes, workdir):
    """A running redis-server on a free port, never the shared one on 6379."""
    directory = workdir / "redis"
    directory.mkdir()
    redis = PrivateRedis(processes, free_port(), directory)
    redis.start()
    return redis
