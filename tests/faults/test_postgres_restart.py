"""PostgreSQL restarted under a running gunicorn: requests during the restart fail cleanly
(503, Retry-After, quickly), requests after it succeed, and no web process was restarted.

A private PostgreSQL 15 cluster on a free port (the shared one is never touched) gets the
pytest database's schema and rows by pg_dump; gunicorn (2 workers, persistent connections
with health checks, as in production) and a private Redis (cache, click buffer) serve it.

What ``/l/`` does meanwhile: a code the cache knows (looked up in the last
``LINK_CACHE_SECONDS``) still answers 302 and its click waits in the Redis stream; a code
not in the cache needs the database and answers 503 like the rest.
"""

import json
import os
import shutil
import subprocess
import tempfile
from contextlib import suppress
from pathlib import Path

import pytest
import redis
from django.test import Client
from rest_framework.authtoken.models import Token

from commissions import click_buffer
from tests.conftest import uses_postgresql
from tests.factories import AffiliateLinkFactory
from tests.faults.support import (
    PG_BIN,
    REDIS_SERVER,
    app_env,
    children,
    free_port,
    get,
    pytest_database_url,
    start_gunicorn,
    tail,
)

TIMES = 4  # requests per address and phase: both gunicorn workers get some


def as_postgres(command: list, **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL's programs refuse to run as root: as root, run them as postgres."""
    user = "postgres" if os.geteuid() == 0 else None
    return subprocess.run(command, check=True, capture_output=True, user=user, **kwargs)


class PrivateCluster:
    def __init__(self, directory: Path):
        self.directory, self.port = directory, free_port()
        self.data, self.log = directory / "data", directory / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/market"

    def pg_ctl(self, *args: str) -> None:
        as_postgres([PG_BIN / "pg_ctl", "-D", self.data, *args], cwd=self.directory)

    def create(self) -> None:
        as_postgres(
            [PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C", "--no-sync"],
            cwd=self.directory,
        )  # fmt: skip
        self.start()
        subprocess.run(
            [PG_BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "market"],
            check=True, capture_output=True,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-o", options, "-l", str(self.log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "-w", "stop")

    def load(self, source_url: str) -> None:
        """Schema and rows of ``source_url``, by pg_dump piped into psql."""
        dump = subprocess.Popen(
            [PG_BIN / "pg_dump", "--no-owner", "--no-privileges", "-d", source_url],
            stdout=subprocess.PIPE,
        )
        subprocess.run(
            [PG_BIN / "psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url],
            stdin=dump.stdout, check=True, capture_output=True,
        )  # fmt: skip
        dump.stdout.close()
        assert dump.wait() == 0


@pytest.fixture
def private_postgres():
    """A PostgreSQL 15 cluster of the test's own; stopped and removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="fault-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = PrivateCluster(directory)
    try:
        cluster.create()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            with suppress(subprocess.CalledProcessError):  # already stopped
                cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


def can_run_postgres() -> bool:
    if not (PG_BIN / "initdb").exists():
        return False
    if os.geteuid() != 0:
        return True
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return True


@pytest.mark.worker
@pytest.mark.skipif(
    not (uses_postgresql() and can_run_postgres() and REDIS_SERVER),
    reason="needs PostgreSQL (the schema is dumped from the test database), PostgreSQL 15's "
    "programs in /usr/lib/postgresql/15/bin for a private cluster to restart, and "
    "redis-server (bash .ci/run has all three)",
)
def test_requests_fail_cleanly_while_postgres_restarts_and_succeed_after(
    transactional_db, member_factory, private_redis, private_postgres, processes
):
    merchant = member_factory("merchant")
    token = Token.objects.create(user=merchant).key
    browser = Client()
    browser.force_login(merchant)
    session = browser.cookies["sessionid"].value
    link, cold_link = AffiliateLinkFactory(), AffiliateLinkFactory()
    private_postgres.load(pytest_database_url())

    env = app_env(database_url=private_postgres.url, redis_url=private_redis.url, DEBUG="1")
    web, port = start_gunicorn(processes, env)
    workers = children(web.pid)
    assert len(workers) == 2
    pages = {
        "api": ("/api/v1/products/", {"Authorization": f"Token {token}"}),
        "portal": ("/", {"Cookie": f"sessionid={session}"}),
        "health": ("/health/", {}),
    }

    def each(name: str) -> list:
        path, headers = pages[name]
        return [get(port, path, headers) for _ in range(TIMES)]

    def statuses(answers: list) -> set[int]:
        return {answer.status for answer in answers}

    before = {name: each(name) for name in pages}
    followed = [get(port, f"/l/{link.code}") for _ in range(TIMES)]
    assert {name: statuses(answers) for name, answers in before.items()} == {
        "api": {200}, "portal": {200}, "health": {200}
    }  # fmt: skip
    assert b"<html" in before["portal"][0].body
    assert statuses(followed) == {302}

    private_postgres.stop("fast")
    during = {name: each(name) for name in pages}
    followed_during = [get(port, f"/l/{link.code}") for _ in range(TIMES)]
    cold = get(port, f"/l/{cold_link.code}")

    private_postgres.start()
    after = {name: each(name) for name in pages}
    followed += followed_during + [get(port, f"/l/{link.code}") for _ in range(TIMES)]

    assert {name: statuses(answers) for name, answers in during.items()} == {
        "api": {503}, "portal": {503}, "health": {503}
    }  # fmt: skip
    for answer in [answer for answers in during.values() for answer in answers] + [cold]:
        assert answer.headers["retry-after"] == "5"
        assert answer.seconds < 2.0
        assert b"Traceback" not in answer.body and len(answer.body) < 1000
    assert json.loads(during["api"][0].body) == {
        "detail": "The service is briefly unavailable. Please try again in a few seconds."
    }
    assert during["portal"][0].headers["content-type"].startswith("text/html")
    assert b"Service unavailable" in during["portal"][0].body
    assert statuses(followed_during) == {302} and cold.status == 503
    assert {name: statuses(answers) for name, answers in after.items()} == {
        "api": {200}, "portal": {200}, "health": {200}
    }  # fmt: skip
    assert json.loads(after["api"][0].body) == json.loads(before["api"][0].body)
    assert statuses(followed) == {302}

    assert web.poll() is None and children(web.pid) == workers  # nothing was restarted
    log = tail(web.log, 200_000)
    assert "database unavailable" in log
    assert "Internal Server Error" not in log and "Traceback" not in log, log[-3000:]
    stream = redis.Redis.from_url(private_redis.url, decode_responses=True)
    assert stream.xlen(click_buffer.stream_key()) == len(followed)  # no click lost
