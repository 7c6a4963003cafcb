"""Row locks live in one ``locks.py`` per app, and the rows they lock do not hold back writers
that only point at them (docs/architecture.md "Row locks", "Lock order")."""

import ast
import re
import threading
from pathlib import Path

import pytest
from django.db import connection, transaction

from accounts.locks import lock_organisation
from core.notifications import notify
from matchmaking.locks import lock_enrollment
from matchmaking.models import ChangeRequest
from merchants.locks import lock_product
from tests.concurrency import run_together
from tests.conftest import uses_postgresql
from tests.factories import CampaignFactory, EnrollmentFactory, OrganisationFactory, ProductFactory

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "merchants", "matchmaking", "influencers", "commissions")
LOCKING_SQL = re.compile(r"\bFOR (NO KEY UPDATE|UPDATE|KEY SHARE|SHARE)\b|pg_advisory")


def app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8"))


def docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes of a module, its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def row_locks(tree: ast.Module) -> list[int]:
    """Lines that take a row or advisory lock: ``select_for_update`` or locking SQL."""
    skip = docstrings(tree)

    def locks(node: ast.AST) -> bool:
        if isinstance(node, ast.Attribute):
            return node.attr == "select_for_update"
        return (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and LOCKING_SQL.search(node.value) is not None
        )

    return [node.lineno for node in ast.walk(tree) if locks(node)]


def test_every_row_lock_is_taken_in_a_locks_module():
    outside = [
        f"{path}:{line}"
        for path, tree in app_modules()
        if path.name != "locks.py"
        for line in row_locks(tree)
    ]

    assert outside == [], "lock rows through the app's locks.py (docs/architecture.md)"


def test_each_app_that_locks_rows_has_its_locks_module_and_one_naming_style():
    helpers = {}
    for path, tree in app_modules():
        if path.name == "locks.py":
            assert row_locks(tree), f"{path} locks nothing"
            functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
            helpers[path.parts[0]] = functions

    assert set(helpers) == set(APPS)
    names = [name for names in helpers.values() for name in names]
    assert [name for name in names if not name.startswith("lock_")] == []


# --- what a lock holds back ----------------------------------------------------------------

on_postgresql = pytest.mark.skipif(
    not uses_postgresql(), reason="row locks need PostgreSQL (SQLite locks the whole file)"
)


def point_at_organisation(organisation):
    notify(organisation=organisation, kind="test", message="A notice for a locked organisation.")


def point_at_enrollment(enrollment):
    ChangeRequest.objects.create(enrollment=enrollment, kind="cancellation")


def point_at_product(product):
    EnrollmentFactory(product=product, campaign=CampaignFactory())


CASES = {
    "organisation": (
        lambda: OrganisationFactory(role="buyer"),
        lambda row: lock_organisation(row.pk),
        point_at_organisation,
    ),
    "enrollment": (
        lambda: EnrollmentFactory(status="approved"),
        lambda row: lock_enrollment(row.pk),
        point_at_enrollment,
    ),
    "product": (ProductFactory, lambda row: lock_product(row.pk), point_at_product),
}


@on_postgresql
@pytest.mark.parametrize("table", sorted(CASES))
def test_a_locked_row_does_not_hold_back_a_row_that_points_at_it(transactional_db, table):
    """Django's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED), taking
    FOR KEY SHARE on the row pointed at: a FOR UPDATE lock would make that check wait, after
    everything else the inserting transaction holds; FOR NO KEY UPDATE lets it through."""
    make, lock, point_at = CASES[table]
    row = make()
    locked, done = threading.Event(), threading.Event()

    def hold() -> str:
        try:
            with transaction.atomic():
                lock(row)
                locked.set()
                done.wait(timeout=10)
        finally:
            locked.set()
        return "held"

    def write() -> str:
        try:
            assert locked.wait(timeout=10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                point_at(row)
        finally:
            done.set()
        return "written"

    assert run_together(hold, write, timeout=20) == ["held", "written"]
