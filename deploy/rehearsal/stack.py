"""The processes of the rehearsal: each started in a session of its own with its output in a
log file, and every one stopped at the end (its children too: gunicorn's and Celery's
workers), whatever happened.
"""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


class RehearsalFailed(Exception):
    """A step did not do what production needs; the message says which and why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, size: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except FileNotFoundError:
        return ""


def wait_until(condition: Callable[[], bool], *, seconds: float, what: str) -> float:
    """Poll ``condition`` until it holds; the seconds it took. Fails naming ``what``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.2)
    raise RehearsalFailed(f"{what}: not within {seconds:.0f} s")


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Stack:
    """Started processes, by name; ``stop_all`` ends them in reverse order."""

    def __init__(self, workdir: Path):
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.started: dict[str, subprocess.Popen] = {}

    def log_of(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def start(self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path) -> None:
        with self.log_of(name).open("ab") as output:
            self.started[name] = subprocess.Popen(
                argv, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip

    def check_alive(self) -> None:
        for name, process in self.started.items():
            if process.poll() is not None:
                raise RehearsalFailed(
                    f"{name} exited with {process.returncode}\n--- {name} ---\n"
                    f"{tail(self.log_of(name))}"
                )

    def stop_all(self) -> int:
        """Stop every process (children included); how many there were."""
        for process in reversed(list(self.started.values())):
            stop(process)
        left = [name for name, process in self.started.items() if process.poll() is None]
        if left:
            raise RehearsalFailed(f"still running after the stop: {left}")
        return len(self.started)

    def report(self) -> str:
        return "\n".join(
            f"--- {name} (last lines) ---\n{tail(self.log_of(name), 2500)}" for name in self.started
        )


def stop(process: subprocess.Popen, *, timeout: float = 20) -> None:
    """SIGTERM to the process's whole session (a graceful stop, as `docker compose down`
    sends), SIGKILL if it has not ended in time."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        process.wait(timeout=timeout)


def run(argv: list[str], *, env: dict[str, str], cwd: Path, what: str, timeout: float = 600):
    """Run a one-shot command (a build step, migrate); fail with its output if it fails."""
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RehearsalFailed(
            f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
    return done
