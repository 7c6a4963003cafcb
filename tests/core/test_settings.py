"""Settings come from the environment; each case runs in a fresh interpreter."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VARIABLES = ["DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"]

READ_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "host": settings.DATABASES["default"].get("HOST"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
    "secret": settings.SECRET_KEY,
    "hosts": settings.ALLOWED_HOSTS,
    "webhook": settings.ORDER_WEBHOOK_SECRET,
    "secure_cookies": settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS,
}))
"""


def run_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in [*VARIABLES, "ORDER_WEBHOOK_SECRET"]}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, *args],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def read_settings(env: dict[str, str]) -> dict:
    result = run_with(env, "-c", READ_SETTINGS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_it_defaults_to_the_embedded_setup():
    values = read_settings({})

    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("db.sqlite3")
    assert values["cache"].endswith("LocMemCache")
    assert values["eager"] is True
    assert values["debug"] is True
    assert values["webhook"] == "dev-order-webhook-secret"


def test_it_reads_every_variable_from_the_environment():
    values = read_settings(
        {
            "DATABASE_URL": "postgres://shop:pw@db.internal:5432/market",
            "REDIS_URL": "redis://cache.internal:6379/2",
            "SECRET_KEY": "s3cret-from-env",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "market.example.com,api.example.com",
            "ORDER_WEBHOOK_SECRET": "whsec-123",
        }
    )

    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["host"], values["name"]) == ("db.internal", "market")
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["eager"] is False
    assert values["broker"] == "redis://cache.internal:6379/2"
    assert values["debug"] is False
    assert values["secret"] == "s3cret-from-env"
    assert values["hosts"] == ["market.example.com", "api.example.com"]
    assert values["webhook"] == "whsec-123"
    assert values["secure_cookies"] is True
    assert values["hsts"] == 31536000


def test_deploy_check_is_clean_in_production_shape():
    result = run_with(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "market.example.com",
            "ORDER_WEBHOOK_SECRET": secrets.token_hex(32),
        },
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_refuses_the_development_webhook_secret():
    result = run_with(
        {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "m.example.com"},
        "manage.py",
        "check",
        "--deploy",
    )

    assert result.returncode != 0
    assert "ORDER_WEBHOOK_SECRET is the development value." in result.stderr + result.stdout
