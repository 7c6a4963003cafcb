"""The benchmarks' own database: refuse anything that is not a bench database, create it if
missing, migrate it. Shared by every script in bench/ that writes rows."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection


def prepare_database(*, allow_sqlite: bool = False) -> None:
    db = settings.DATABASES["default"]
    if "bench" not in Path(str(db["NAME"])).name:
        sys.exit(f"Refusing: database {db['NAME']!r} is not a bench database (name it *bench*).")
    if db["ENGINE"].endswith("sqlite3"):
        if not allow_sqlite:
            sys.exit("Refusing to benchmark on SQLite; set DATABASE_URL to a PostgreSQL database.")
    else:
        create_if_missing(db)
    call_command("migrate", verbosity=0, interactive=False)


def create_if_missing(db: dict) -> None:
    import psycopg2

    server = psycopg2.connect(
        dbname="postgres", user=db["USER"], password=db["PASSWORD"], host=db["HOST"],
        port=db["PORT"] or 5432,
    )  # fmt: skip
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    server.close()


def wipe(models: list) -> None:
    """Empty the benchmark's own tables (children before parents), ids from 1 again."""
    if connection.vendor == "postgresql":
        tables = ", ".join(model._meta.db_table for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    else:
        for model in models:
            model.objects.all().delete()
