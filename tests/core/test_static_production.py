"""Static files in production mode: collectstatic with DEBUG=0 (the Dockerfile's step) works from
the committed tree, and pages that render templates find every file in its manifest.

bin/rehearse runs the Dockerfile's own step in a fresh virtualenv; these tests hold the same
promise inside the suite, where a broken reference fails in seconds.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
SOURCE_MAP = re.compile(rb"sourceMappingURL=([^\s*]+)")


def test_every_source_map_a_vendored_file_names_is_vendored_too():
    for path in (ROOT / "static").rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        for name in SOURCE_MAP.findall(path.read_bytes()):
            assert (path.parent / name.decode()).exists(), f"{path} names {name!r}"


def test_the_vendored_chart_keeps_its_licence_header():
    head = (ROOT / "static/vendor/chart.umd.min.js").read_text()[:200]

    assert "Chart.js v4.6.1" in head and "Released under the MIT License" in head


def test_collectstatic_with_debug_off_succeeds_from_the_tree(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DEBUG": "0",
            "SECRET_KEY": "build-only",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "STATIC_ROOT": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/chart.umd.min.js" in manifest and "css/site.css" in manifest


@pytest.fixture
def manifest_storage(settings, tmp_path):
    """The production storage (hashed names from a manifest) over freshly collected files."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Changing STORAGES resets the lazy staticfiles_storage (Django's setting_changed).
    call_command("collectstatic", interactive=False, verbosity=0)
    assert staticfiles_storage.manifest_name in {path.name for path in tmp_path.iterdir()}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/docs/", "/l/NO-SUCH-CODE"])
def test_pages_render_with_hashed_static_names(client, manifest_storage, path):
    response = client.get(path)

    assert response.status_code in (200, 404)
    page = response.content.decode()
    assert re.search(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(css|js)", page), page[:500]
