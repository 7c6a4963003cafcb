"""``GET /l/<code>``: answer 302 to the storefront at once, whatever happens to the click.

A link that is not promotable now (its enrollment ended, its product archived...) still sends
the shopper on: the click is recorded with the reason and earns nothing. A stored address that
breaks the storefront rules is not followed (the link's not-found page).

The hot path is one cache round trip for the per-address limit, one cache read, one XADD to
the Redis stream (or, without Redis, one small database transaction) and the redirect.
Recording is wrapped so that no failure of Redis or the database ever costs the visitor the
redirect; failures are logged.

Clicks from one address above ``REDIRECT_RATE_LIMIT`` (600 a minute) are not stored: a flood
must not fill the stream and the clicks table. The shopper still gets the 302 (without a click
id): behind a carrier's NAT thousands of real viewers of one livestream share an address, and
a storefront they cannot reach is a lost sale. Unknown codes above the limit get 429 with
Retry-After (someone is guessing). The limit fails open: with the cache down every click is
counted and stored.
"""

import logging
from urllib.parse import urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from commissions import click_buffer
from commissions.selectors.links import LinkTarget, resolve_code
from commissions.services.clicks import (
    ClickData,
    click_from_request,
    client_ip,
    hash_ip,
    new_click_id,
    store_clicks,
)
from core.ratelimit import rate_setting, seconds_over

logger = logging.getLogger(__name__)

CODE_MAX_LENGTH = 16
CLICK_PARAMETER = "click_id"
WEB_SCHEMES = ("https://", "http://")


def with_click_id(destination: str, click_id: str) -> str:
    """Append ``click_id`` to the destination, keeping its own query string and fragment."""
    parts = urlsplit(destination)
    kept = [p for p in parts.query.split("&") if p and not p.startswith(f"{CLICK_PARAMETER}=")]
    query = "&".join([*kept, f"{CLICK_PARAMETER}={click_id}"])
    return urlunsplit(parts._replace(query=query))


def record(click: ClickData) -> None:
    """Into the stream when there is one; straight into the database otherwise."""
    if click_buffer.enabled():
        try:
            click_buffer.append(click)
            return
        except click_buffer.BufferUnavailable:
            pass  # logged once per outage by the buffer
    store_clicks(clicks=[click])


def record_safely(request: HttpRequest, *, target: LinkTarget, click_id: str) -> None:
    try:
        click = click_from_request(
            request,
            link_id=target.link_id,
            click_id=click_id,
            clicked_at=timezone.now(),
            not_promotable=target.not_promotable,
        )
        record(click)
    except Exception:
        logger.exception("could not record click %s of link %s", click_id, target.link_id)


def link_not_found() -> HttpResponse:
    # Rendered without a request: no context processors, no database work for robots.
    return HttpResponseNotFound(loader.get_template("commissions/link_not_found.html").render())


def too_many_requests(retry_after: int) -> HttpResponse:
    response = HttpResponse(
        _("Too many requests from your address; try again in a minute."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_safe
def follow_link(request: HttpRequest, code: str) -> HttpResponse:
    # Counted before the lookup, so probing for codes counts too; the address only as its hash.
    wait = seconds_over(
        scope="redirect",
        ident=hash_ip(client_ip(request)),
        rate=rate_setting("REDIRECT_RATE_LIMIT"),
    )
    known = code.isascii() and code.isalnum() and len(code) <= CODE_MAX_LENGTH
    target = resolve_code(code) if known else None
    if target is None or not target.live or not target.destination.startswith(WEB_SCHEMES):
        return too_many_requests(wait) if wait else link_not_found()
    if wait:
        return HttpResponseRedirect(target.destination)
    click_id = new_click_id()
    if request.method == "GET":  # a HEAD (link checkers) is not a visit
        record_safely(request, target=target, click_id=click_id)
    return HttpResponseRedirect(with_click_id(target.destination, click_id))
