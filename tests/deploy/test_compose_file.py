"""docker-compose.yml and the Dockerfile hold the production shape, read as compose and docker
read them (deploy/rehearsal/compose.py; bin/rehearse runs what they say)."""

from pathlib import Path

import pytest

from deploy.rehearsal.compose import (
    ComposeError,
    build_steps,
    copy_context,
    interpolate,
    read_services,
)

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"SECRET_KEY": "k", "ORDER_WEBHOOK_SECRET": "w", "POSTGRES_PASSWORD": "p"}
MAX_CONNECTIONS, SUPERUSER_RESERVED = 100, 3  # PostgreSQL's defaults


@pytest.fixture
def services():
    return read_services(ROOT / "docker-compose.yml", SECRETS)


@pytest.mark.parametrize(
    ("text", "variables", "expected"),
    [
        ("${A}", {"A": "1"}, "1"),
        ("$A/x", {"A": "1"}, "1/x"),
        ("${A:-d}", {"A": ""}, "d"),
        ("${A-d}", {"A": ""}, ""),
        ("${A-d}", {}, "d"),
        ("${A:+https://}${A:-http://localhost}", {"A": "m.example.com"}, "https://m.example.com"),
        ("${A:+https://}${A:-http://localhost}", {}, "http://localhost"),
        ("${A+x}", {"A": ""}, "x"),
        ("$${PORT:-8000}", {"PORT": "1"}, "${PORT:-8000}"),  # left for the container's shell
    ],
)
def test_variables_interpolate_as_compose_does(text, variables, expected):
    assert interpolate(text, variables) == expected


def test_a_required_secret_that_is_missing_stops_everything():
    with pytest.raises(ComposeError, match="SECRET_KEY is required: set SECRET_KEY"):
        read_services(ROOT / "docker-compose.yml", {"ORDER_WEBHOOK_SECRET": "w"})


def test_only_the_proxy_publishes_a_port_so_web_scales(services):
    assert [name for name, service in services.items() if service.ports] == ["proxy"]
    assert services["proxy"].ports == ["80:80", "443:443", "443:443/udp"]
    assert services["web"].expose == ["8000"]


def test_only_web_trusts_the_proxy_headers(services):
    trusting = sorted(
        name for name, service in services.items()
        if service.environment.get("BEHIND_TLS_PROXY") == "1"
    )  # fmt: skip

    assert trusting == ["web"]
    assert services["web"].environment["TRUSTED_PROXY_COUNT"] == "1"


def test_a_domain_turns_on_https_and_the_trial_stays_on_plain_http():
    trial = read_services(ROOT / "docker-compose.yml", SECRETS)["web"].environment
    real = read_services(ROOT / "docker-compose.yml", {**SECRETS, "DOMAIN": "m.example.com"})

    assert trial["SITE_URL"] == "http://localhost"
    assert real["web"].environment["SITE_URL"] == "https://m.example.com"
    assert real["web"].environment["ALLOWED_HOSTS"].split(",")[0] == "m.example.com"
    assert real["proxy"].environment["SITE_ADDRESS"] == "m.example.com"


def test_the_application_reaches_postgresql_through_pgbouncer_in_transaction_mode(services):
    for name in ("web", "worker", "beat"):
        env = services[name].environment
        assert "@pgbouncer:5432/" in env["DATABASE_URL"], name
        assert env["DB_TRANSACTION_POOLING"] == "1", name
    assert services["pgbouncer"].environment["POOL_MODE"] == "transaction"
    # Migrations hold their session: straight to PostgreSQL.
    assert "@postgres:5432/" in services["migrate"].environment["DATABASE_URL"]


def test_ten_web_replicas_stay_under_postgresqls_connection_limit(services):
    """README "Connections": clients of PgBouncer grow with replicas; PostgreSQL sees only
    PgBouncer's pool (plus migrate, once, at the start)."""
    bouncer = services["pgbouncer"].environment
    web_workers = int(services["web"].environment["WEB_WORKERS"])
    worker_processes = int(services["worker"].command[-1].split("=")[1]) + 1  # pool + parent
    clients = 10 * web_workers + 2 * worker_processes + 1  # --scale web=10 --scale worker=2
    server = int(bouncer["DEFAULT_POOL_SIZE"]) + int(bouncer["RESERVE_POOL_SIZE"]) + 1

    assert clients <= int(bouncer["MAX_CLIENT_CONN"])
    assert server <= MAX_CONNECTIONS - SUPERUSER_RESERVED
    assert f"-c max_connections={MAX_CONNECTIONS}" in " ".join(services["postgres"].command)


def test_every_long_running_service_has_a_health_check(services):
    missing = [name for name, service in services.items()
               if name != "migrate" and service.healthcheck is None]  # fmt: skip

    assert missing == []


def test_the_image_builds_static_files_and_translations_with_debug_off():
    steps = build_steps(ROOT / "Dockerfile")

    assert len(steps) == 1
    assert "DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput" in steps[0]
    assert "compilemessages" in steps[0]


def test_the_image_installs_the_runtime_requirements_only():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "requirements-dev" not in dockerfile
    assert "pip install --no-cache-dir -r /app/requirements.txt" in dockerfile
    final_stage = dockerfile.split("\nFROM ")[-1]
    assert "gettext" not in final_stage and "gcc" not in final_stage
    assert "USER app" in final_stage
    runtime = (ROOT / "requirements.txt").read_text().lower()
    for tool in ("pytest", "playwright", "schemathesis", "hypothesis", "ruff", "factory"):
        assert tool not in runtime, tool


def test_the_build_context_leaves_out_what_dockerignore_names(tmp_path):
    copied = copy_context(ROOT, tmp_path)

    assert copied > 100
    assert (tmp_path / "manage.py").exists() and (tmp_path / "static/vendor/htmx.min.js").exists()
    for left_out in (".git", ".venv", "tests", "bench", "staticfiles", "requirements-dev.txt"):
        assert not (tmp_path / left_out).exists(), left_out
    assert not list(tmp_path.rglob("__pycache__"))
