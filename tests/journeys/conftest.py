"""Browser journeys: Playwright for Python driving the system's Chromium against a live server.

Nothing is downloaded: Playwright's own browsers are never installed; the tests use Debian's
``chromium`` package (``bash .ci/run`` installs it when it is missing) and skip, saying so,
on a machine without it. Each step's screenshot lands in ``artifacts/journeys/<test>/``
(``JOURNEY_ARTIFACTS`` moves it), the test artifacts CI keeps.
"""

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from commissions import click_buffer
from config.celery import app as celery_app

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
ARTIFACTS = Path(os.environ.get("JOURNEY_ARTIFACTS", "artifacts/journeys"))


def system_chromium() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    return next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """One Chromium per test module; module scope, so that DJANGO_ALLOW_ASYNC_UNSAFE (below)
    never outlives the journeys (`check --deploy` rightly refuses it)."""
    executable = system_chromium()
    if executable is None:
        pytest.skip(
            "Browser journeys need Chromium and none is installed: "
            "`apt-get install chromium` (bash .ci/run does it), or set CHROMIUM_PATH."
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop in this thread while it runs, which Django
    # takes for async code; the tests' ORM calls are plain synchronous ones.
    allowed = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()
    if allowed is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def journey_server(live_server, settings):
    """The live server, with the work a Celery worker would do run in process (the journey
    is about what people see; the workers have tests of their own), and a click stream of
    its own in Redis."""
    settings.CLICK_STREAM = f"journey-{uuid.uuid4().hex}"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield live_server
    celery_app.conf.task_always_eager = eager
    if click_buffer.buffer_url():
        click_buffer.client(click_buffer.buffer_url(), purpose="worker").delete(
            settings.CLICK_STREAM
        )


class Screens:
    """Numbered screenshots of one test, for people reading a CI run."""

    def __init__(self, folder: Path):
        self.folder, self.count = folder, 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def shoot(self, page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def screens(request) -> Screens:
    return Screens(ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.journey_failed = report.failed
    return report


@pytest.fixture
def new_page(request, browser, journey_server, screens) -> Iterator:
    """Pages in separate browser contexts: each person has their own cookies. When the test
    fails, every page's last state is saved next to the step screenshots."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=journey_server.url, locale="en-GB", **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    if getattr(request.node, "journey_failed", False):
        for number, context in enumerate(contexts, start=1):
            for page in context.pages:
                screens.shoot(page, f"failed-page-{number}")
    for context in contexts:
        context.close()
