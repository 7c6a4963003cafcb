"""bin/serve's arguments: a wrong one is refused before anything is installed or migrated."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "bin/serve", *args], cwd=ROOT, capture_output=True, text=True, timeout=30,
        check=False,
    )  # fmt: skip


def test_help_names_host_and_port():
    done = serve("--help")

    assert done.returncode == 0
    assert "--host" in done.stdout and "--port" in done.stdout


def test_a_port_that_is_not_a_number_is_refused():
    done = serve("--port", "eighty")

    assert done.returncode == 2
    assert "--port takes a number, not 'eighty'" in done.stderr


def test_an_unknown_argument_is_refused_naming_the_right_ones():
    done = serve("--prot", "8080")

    assert done.returncode == 2
    assert "unknown argument --prot (try --host, --port)" in done.stderr
