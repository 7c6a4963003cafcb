"""Real processes for the fault tests (this module holds no tests): private Redis and
PostgreSQL instances on free ports, gunicorn and Celery workers against them, plain HTTP.

Every process is started in a session of its own, so stopping it takes its children too
(gunicorn's workers); the fixtures in conftest.py stop them all, even when a test fails.
"""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pytest_database_url() -> str:
    """The pytest test database (test_<name>), for processes started by a test."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


def app_env(*, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The product's environment for a web or worker process of a test."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CLICK_BUFFER_URL": redis_url,
        "CACHE_KEY_PREFIX": f"fault-{os.getpid()}",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except FileNotFoundError:
        return ""


def wait_until(condition: Callable[[], bool], *, seconds: float, what: str, log=None) -> float:
    """Poll ``condition`` until true; the seconds it took. Fails naming ``what``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    detail = f"\n--- {log} ---\n{tail(log)}" if log else ""
    raise AssertionError(f"{what}: not within {seconds} s{detail}")


def stop(process: subprocess.Popen, *, sig=signal.SIGTERM, timeout: float = 15) -> None:
    """Signal the process's whole session; SIGKILL it if it does not end in time."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        process.wait(timeout=timeout)


class Processes:
    """Starts processes (each in its own session, output to a log file) and stops every one
    of them at the end, whatever happened."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, command: list[str], *, env=None, user=None) -> subprocess.Popen:
        log = self.workdir / f"{name}.log"
        with log.open("ab") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, user=user,
            )  # fmt: skip
        process.log = log
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            stop(process)


# --- Redis -----------------------------------------------------------------------------


@dataclass
class PrivateRedis:
    """A redis-server of the test's own, configured as docker-compose.yml's (append-only
    file on), so that killing and starting it again behaves as production's would."""

    processes: Processes
    port: int
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                   "--dir", str(self.directory), "--appendonly", "yes", "--save", "",
                   "--daemonize", "no"]  # fmt: skip
        self.process = self.processes.start(f"redis-{self.port}", command)
        wait_until(self.answers, seconds=10, what="private redis-server", log=self.process.log)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown, no last save, as when the machine loses the process."""
        stop(self.process, sig=signal.SIGKILL)


# --- HTTP ------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def get(port: int, path: str, headers: dict | None = None, timeout: float = 10) -> Answer:
    """One GET on a fresh connection; redirects are not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.monotonic()
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = connection.getresponse()
        body = response.read()
        return Answer(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            body,
            time.monotonic() - started,
        )
    finally:
        connection.close()


def start_gunicorn(processes: Processes, env: dict, *, workers: int = 2) -> tuple:
    """gunicorn serving config.wsgi as docker-compose.yml's web does; (process, port) once
    it answers."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers",
               str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "30"]  # fmt: skip
    process = processes.start("gunicorn", command, env=env)

    def up() -> bool:
        assert process.poll() is None, tail(process.log)
        try:
            return get(port, "/health/", timeout=2).status == 200
        except OSError:
            return False

    wait_until(up, seconds=30, what="gunicorn answering /health/", log=process.log)
    return process, port


def send_task(broker_url: str, task, **kwargs) -> None:
    """Send a task to the private broker, as the web process or beat would."""
    from config.celery import app

    with app.connection_for_write(broker_url) as connection:
        task.apply_async(kwargs=kwargs, connection=connection)


def celery_worker_command(name: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
            "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel=INFO"]  # fmt: skip


def children(pid: int) -> set[int]:
    """The ids of the processes whose parent is ``pid`` (gunicorn's workers)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found
