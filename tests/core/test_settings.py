"""Settings come from the environment; each case runs in a fresh interpreter."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VARIABLES = ["DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SITE_URL",
             "DB_TRANSACTION_POOLING", "DB_CONN_MAX_AGE", "BEHIND_TLS_PROXY"]  # fmt: skip

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
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "server_side_cursors_off": settings.DATABASES["default"].get(
        "DISABLE_SERVER_SIDE_CURSORS", False),
    "signup_limits": [settings.SIGNUP_RATE_LIMIT, settings.ACCOUNT_RATE_LIMITS["signup"]],
    "redirect_limit": settings.REDIRECT_RATE_LIMIT,
    "allauth_proxies": settings.ALLAUTH_TRUSTED_PROXY_COUNT,
    "drf_proxies": settings.REST_FRAMEWORK["NUM_PROXIES"],
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


def test_production_behind_a_proxy_with_pgbouncer():
    """What docker-compose.yml gives the web service."""
    values = read_settings(
        {
            "DEBUG": "0",
            "SECRET_KEY": "s3cret-from-env",
            "SITE_URL": "https://market.example.com",
            "DB_TRANSACTION_POOLING": "1",
            "DB_CONN_MAX_AGE": "60",
            "BEHIND_TLS_PROXY": "1",
            "TRUSTED_PROXY_COUNT": "1",
        }
    )

    assert values["server_side_cursors_off"] is True
    assert values["conn_max_age"] == 60
    assert (values["ssl_redirect"], values["secure_cookies"]) == (True, True)
    # Login and sign-up limits key on the address the proxy saw, in DRF and in allauth alike.
    assert (values["allauth_proxies"], values["drf_proxies"]) == (1, 1)


def test_a_plain_http_trial_neither_redirects_to_https_nor_hides_cookies_from_it():
    values = read_settings(
        {"DEBUG": "0", "SECRET_KEY": "s3cret-from-env", "SITE_URL": "http://localhost"}
    )

    assert (values["ssl_redirect"], values["secure_cookies"]) == (False, False)
    assert values["hsts"] == 31536000  # sent only over HTTPS anyway


def test_connections_close_after_each_request_unless_told_otherwise():
    values = read_settings({})

    assert values["conn_max_age"] == 0
    assert values["server_side_cursors_off"] is False
    assert values["allauth_proxies"] == 0


def test_rate_limits_take_the_forms_people_write():
    values = read_settings({"REDIRECT_RATE_LIMIT": "1000000", "SIGNUP_RATE_LIMIT": "5/min"})

    assert values["redirect_limit"] == "1000000"
    # The portal's sign-up page (allauth) applies the same limit as the API's register.
    assert values["signup_limits"] == ["5/min", "5/60s/ip"]


def test_a_rate_limit_that_is_not_a_rate_stops_the_start():
    result = run_with({"WEBHOOK_RATE_LIMIT": "fast"}, "manage.py", "check")

    assert result.returncode != 0
    assert "WEBHOOK_RATE_LIMIT: 'fast' is not a rate" in result.stderr
    assert "such as 600 (a minute), 600/min, 10/s or 36000/h" in result.stderr
