"""The storefront's webhook signature (DESIGN.md "Webhooks").

Header: ``X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``
under ``settings.ORDER_WEBHOOK_SECRET``. The timestamp is part of what is
signed, and must be within ``TOLERANCE_SECONDS`` of our clock in either
direction, so a captured request cannot be replayed later. Several ``v1``
entries are accepted (the storefront may sign with an old and a new secret
while it rotates them); one must match.
"""

import hashlib
import hmac
import re
import time

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError

SIGNATURE_HEADER = "X-Signature"
TOLERANCE_SECONDS = 300
TIMESTAMP = re.compile(r"\d{1,12}")
HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


class SignatureRejected(DomainError):
    """The request is not provably from the storefront: 400, and nothing is stored."""

    def __init__(self, message: str):
        super().__init__(message, field="signature")


def sign(*, body: bytes, timestamp: int, secret: str) -> str:
    """The hex HMAC-SHA256 of ``"<t>.<raw body>"``; what the storefront sends as ``v1``."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, body: bytes, timestamp: int, secret: str) -> str:
    return f"t={timestamp},v1={sign(body=body, timestamp=timestamp, secret=secret)}"


def parse_header(header: str) -> tuple[int, list[str]]:
    """``t`` and every ``v1`` of the header; anything else in it is malformed."""
    timestamp, digests = None, []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureRejected(
                _("The X-Signature header must look like t=<unix seconds>,v1=<hex>.")
            )
        if key == "t" and timestamp is None and TIMESTAMP.fullmatch(value):
            timestamp = int(value)
        elif key == "v1" and HEX_DIGEST.fullmatch(value):
            digests.append(value.lower())
        elif key in ("t", "v1"):
            raise SignatureRejected(
                _("The X-Signature header has a malformed %(key)s.") % {"key": key}
            )
    if timestamp is None or not digests:
        raise SignatureRejected(
            _("The X-Signature header must look like t=<unix seconds>,v1=<hex>.")
        )
    return timestamp, digests


def verify_signature(*, header: str | None, body: bytes, now: float | None = None) -> int:
    """Check the X-Signature of a webhook request; returns its timestamp ``t``.

    Rule: a missing or malformed header, a ``t`` more than 300 seconds from now
    (either way) or no ``v1`` matching the HMAC of the raw body is refused.
    Digests are compared in constant time.
    """
    if not header or not header.strip():
        raise SignatureRejected(_("The X-Signature header is missing."))
    timestamp, digests = parse_header(header)
    current = time.time() if now is None else now
    if abs(current - timestamp) > TOLERANCE_SECONDS:
        raise SignatureRejected(
            _("The signature's timestamp is more than %(seconds)d seconds from now.")
            % {"seconds": TOLERANCE_SECONDS}
        )
    expected = sign(body=body, timestamp=timestamp, secret=settings.ORDER_WEBHOOK_SECRET)
    # Check every digest, so the time taken does not depend on which one matched.
    matched = [hmac.compare_digest(expected, digest) for digest in digests]
    if not any(matched):
        raise SignatureRejected(_("The signature does not match the request body."))
    return timestamp
