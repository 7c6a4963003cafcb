"""The README's configuration tables name every environment variable the product, compose and
the proxy read, and nothing they do not."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_READ = re.compile(r'env_(?:str|int|bool|list|rate)\(\s*"([A-Z][A-Z0-9_]*)"')
GETENV = re.compile(r"os\.getenv\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
# ${NAME...} that compose interpolates; $${NAME} is left for the container's shell.
COMPOSE_VARIABLE = re.compile(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)")
CADDY_VARIABLE = re.compile(r"\{\$([A-Z][A-Z0-9_]*)")


def read_by_the_product() -> set[str]:
    names = set(SETTINGS_READ.findall((ROOT / "config/settings.py").read_text()))
    return names | set(GETENV.findall((ROOT / "config/gunicorn.py").read_text()))


def read_by_compose_and_the_proxy() -> set[str]:
    compose = set(COMPOSE_VARIABLE.findall((ROOT / "docker-compose.yml").read_text()))
    return compose | set(CADDY_VARIABLE.findall((ROOT / "deploy/Caddyfile").read_text()))


def documented() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def test_every_variable_the_product_reads_is_in_the_table():
    assert read_by_the_product() - documented() == set()


def test_every_variable_compose_and_the_proxy_read_is_in_the_table():
    assert read_by_compose_and_the_proxy() - documented() == set()


def test_the_table_names_no_variable_that_nothing_reads():
    assert documented() - read_by_the_product() - read_by_compose_and_the_proxy() == set()


def test_the_scan_finds_what_it_should():
    """Guards the guard: a change of helper names must not make the comparison vacuous."""
    assert {"DATABASE_URL", "DB_CONN_MAX_AGE", "SIGNUP_RATE_LIMIT", "WEB_WORKERS"} <= (
        read_by_the_product()
    )
    assert {"SECRET_KEY", "DOMAIN", "POSTGRES_PASSWORD", "CADDY_ADMIN"} <= (
        read_by_compose_and_the_proxy()
    )
