"""No secret in the repository (issue 8, docs/security.md section 7).

Scans every tracked file for what a leaked credential looks like: private keys, cloud and
chat tokens, and long random strings assigned to names like secret, token or password. The
development defaults in config/settings.py are known and allowed: `check --deploy` refuses
them (tests/core/test_settings.py), so they can never be production secrets.
"""

import math
import re
import subprocess
from collections import Counter
from pathlib import Path

from config import settings as project_settings

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".git", ".venv", "node_modules", "artifacts", "__pycache__", "staticfiles"}
BINARY_SUFFIXES = {".png", ".jpg", ".gif", ".ico", ".mo", ".woff", ".woff2", ".sqlite3"}
SECRET_FILES = re.compile(r"(^|/)(\.env(\..+)?|id_rsa.*|id_ed25519.*|.*\.(pem|key|p12|pfx))$")
TOKEN_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (RSA |EC |OPENSSH |DSA |)PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    "Stripe live key": re.compile(r"\b[sr]k_live_[A-Za-z0-9]{20,}\b"),
}
ASSIGNED_SECRET = re.compile(
    r"(?i)(secret|token|password|passwd|api_?key|private_?key)[\w]*[\"']?\s*[:=]\s*[\"']([^\"'\s]{20,})[\"']"
)
KNOWN_DEVELOPMENT_VALUES = {project_settings.DEV_SECRET_KEY, project_settings.DEV_WEBHOOK_SECRET}


def tracked_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30
        ).stdout.decode()
        return [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):  # a source tarball without git
        return [
            path
            for path in ROOT.rglob("*")
            if path.is_file() and not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts)
        ]


def entropy(text: str) -> float:
    """Shannon entropy in bits per character: random keys score high, words low."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def findings_in(text: str) -> list[str]:
    found = [name for name, pattern in TOKEN_PATTERNS.items() if pattern.search(text)]
    for match in ASSIGNED_SECRET.finditer(text):
        value = match.group(2)
        if value not in KNOWN_DEVELOPMENT_VALUES and entropy(value) >= 4.0:
            found.append(f"random-looking value assigned to {match.group(1)}")
    return found


def test_it_finds_no_secret_in_any_tracked_file():
    problems = []
    for path in tracked_files():
        relative = path.relative_to(ROOT).as_posix()
        if SECRET_FILES.search(relative):
            problems.append(f"{relative}: a key or environment file is tracked")
            continue
        if path.suffix in BINARY_SUFFIXES or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        problems += [f"{relative}: {finding}" for finding in findings_in(text)]
    assert problems == []


def test_the_scanner_would_catch_a_leaked_key():
    # Built at run time so that this file itself holds no key.
    aws = "AKIA" + "Q3EXAMPLE7KEYID0"
    pem = "-----BEGIN " + "PRIVATE KEY-----"
    random_value = "kF9#q2Lz!vR7wX4@pT1mB8&nC5yH3^dJ"
    assert findings_in(f"id = '{aws}'") == ["AWS access key"]
    assert findings_in(pem) == ["private key"]
    assert findings_in(f'STRIPE_SECRET = "{random_value}"') == [
        "random-looking value assigned to SECRET"
    ]
    assert findings_in('SECRET_KEY = "' + project_settings.DEV_SECRET_KEY + '"') == []
    assert findings_in('password = "correct-horse-battery-staple"') == []
    assert SECRET_FILES.search("config/.env") and SECRET_FILES.search("deploy/server.pem")
