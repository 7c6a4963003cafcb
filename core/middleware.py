"""Answers for requests the application should not or cannot serve.

``DatabaseUnavailableMiddleware``: the database went away (a restart, a failover): answer 503
with Retry-After, not a 500.

A view that cannot reach PostgreSQL raises ``OperationalError`` (cannot connect, connection
dropped by a shutdown) or ``InterfaceError`` (connection already closed). Both say "try again
shortly", not "the code is broken": the client gets 503 and ``Retry-After``, the API a short
JSON body, the portal a plain page that touches nothing (no templates' context processors,
no session). The process keeps running; with ``conn_health_checks`` the next request after
the database is back opens a fresh connection.

Exceptions raised by views reach ``process_exception`` (DRF's handler passes these on: they
are not API exceptions). One raised by a middleware further in (the session store, the
user's lookup) has already become a 500 response by the time it comes back out; Django's
``got_request_exception`` signal marks the request then, and the 500 is replaced by the 503.
Logged as one warning per ``LOG_EVERY`` seconds per process, with the count of requests
answered 503 since the last one, so an outage does not flood the log.
"""

import logging
import sys
import threading
import time

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core import json_bodies

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
LOG_EVERY = 10.0
JSON_PREFIXES = ("/api/", "/health/")


def unavailable_response(request: HttpRequest) -> HttpResponse:
    message = _("The service is briefly unavailable. Please try again in a few seconds.")
    if request.path.startswith(JSON_PREFIXES):
        response = JsonResponse({"detail": message}, status=503)
    else:
        page = format_html(
            '<!doctype html><html><head><meta charset="utf-8"><title>{}</title></head>'
            "<body><h1>{}</h1><p>{}</p></body></html>",
            _("Service unavailable"),
            _("Service unavailable"),
            message,
        )
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


OUTAGE_MARK = "_database_unavailable"


@receiver(got_request_exception, dispatch_uid="core.middleware.mark_database_outage")
def mark_database_outage(sender, request=None, **kwargs) -> None:
    """Sent while Django turns an exception into a 500 (sys.exc_info() is that exception)."""
    if request is not None and isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        setattr(request, OUTAGE_MARK, sys.exc_info()[1])


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.lock = threading.Lock()
        self.next_log = 0.0
        self.unlogged = 0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        outage = getattr(request, OUTAGE_MARK, None)
        if response.status_code == 500 and outage is not None:
            return self.unavailable(request, outage)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return self.unavailable(request, exception)

    def unavailable(self, request: HttpRequest, exception: Exception) -> HttpResponse:
        with self.lock:
            self.unlogged += 1
            now = time.monotonic()
            if now >= self.next_log:
                reason = next(iter(str(exception).strip().splitlines()), "")
                logger.warning(
                    "database unavailable, %d request(s) answered 503 (%s: %s)",
                    self.unlogged, type(exception).__name__, reason,
                )  # fmt: skip
                self.next_log, self.unlogged = now + LOG_EVERY, 0
        response = unavailable_response(request)
        response._has_been_logged = True  # logged above; not again as an error per request
        return response


class RequestTooLargeMiddleware:
    """Refuse a body larger than ``MAX_REQUEST_BYTES`` from its Content-Length, before any of it
    is read: Django streams multipart files to disk whatever their size, so a CSV upload's own
    20 MB check (core/csv_upload.py) would come only after gigabytes had been written. 413 with
    the limit in words; the API gets JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return too_large_response(request)
        return self.get_response(request)


def too_large_response(request: HttpRequest) -> HttpResponse:
    megabytes = settings.MAX_REQUEST_BYTES // (1024 * 1024)
    message = _("The request is larger than %(size)d MB. Split the file into smaller ones.") % {
        "size": megabytes
    }
    if request.path.startswith(JSON_PREFIXES):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NulCharacterMiddleware:
    """Refuse NUL characters in the address, in query parameters and in the portal's form
    fields: 400 naming the parameter, the API in JSON (``{"search": ["Null characters are not
    allowed."]}``, as its serializers say of a body's text field) and the portal as a short page.

    PostgreSQL text cannot hold NUL (psycopg2 refuses such a parameter with ValueError), so
    ``?search=%00`` reached the database and answered 500; no input of this application means
    anything with it, so it is refused at the door, once for every page. Portal forms are read
    here as CSRF's check would read them anyway; the API's bodies are left to its parsers
    (core/parsers.py), which see PUT and PATCH bodies too, and views that read the raw body
    (the order webhook) still can. CSV files with NUL bytes are refused by core/csv_upload.py.
    A cookie holding NUL (a quoted cookie may spell one as ``\\000``) is dropped, as if the
    browser had not sent it: it is nothing we set, and the session store would look it up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path_info:
            return nul_response(request, None)
        query = request.META.get("QUERY_STRING", "")
        if ("%00" in query or NUL in query) and (name := nul_parameter(request.GET)):
            return nul_response(request, name)
        form = request.method == "POST" and self.reads_form(request)
        if form and (name := nul_parameter(request.POST)):
            return nul_response(request, name)
        cookies = request.META.get("HTTP_COOKIE", "")
        if "\\" in cookies or NUL in cookies:
            request.COOKIES = {
                key: value for key, value in request.COOKIES.items() if NUL not in key + value
            }
        return self.get_response(request)

    @staticmethod
    def reads_form(request: HttpRequest) -> bool:
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        return content_type in FORM_TYPES and not request.path.startswith(JSON_PREFIXES)


def nul_parameter(params) -> str | None:
    """The name of the first parameter whose name or a value holds NUL, printable."""
    for key, values in params.lists():
        if NUL in key or any(NUL in value for value in values):
            return key.replace(NUL, "\\0")
    return None


def nul_response(request: HttpRequest, name: str | None) -> HttpResponse:
    """400 naming the parameter; ``name`` None: the address itself."""
    message = _("Null characters are not allowed.")
    if request.path.startswith(JSON_PREFIXES):
        body = {name: [message]} if name else {"detail": message}
        return JsonResponse(body, status=400)
    heading = _("Bad request")
    text = f"{name}: {message}" if name else message
    page = format_html(
        '<!doctype html><html><head><meta charset="utf-8"><title>{}</title></head>'
        '<body><h1>{}</h1><p>{}</p><p><a href="/">{}</a></p></body></html>',
        heading, heading, text, _("Home"),
    )  # fmt: skip
    return HttpResponse(page, status=400)


class JsonNestingMiddleware:
    """A JSON body nested deeper than ``core.json_bodies.MAX_JSON_DEPTH`` answers 400
    ``{"detail": "JSON parse error - ..."}`` before any view or parser reads it: Python's json
    recursion would otherwise end in RecursionError, a 500, on every JSON endpoint, including
    views that pick DRF's own parsers (its token view). Only a body with more brackets than the
    depth bound is parsed here; a body that is not JSON at all is left to the view to refuse.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type == "application/json" and self.too_deep(request.body):
            message = _("JSON parse error - %s") % json_bodies.TooDeeplyNested()
            if request.path.startswith(JSON_PREFIXES):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def too_deep(body: bytes) -> bool:
        if not json_bodies.may_nest_too_deeply(body):
            return False
        try:
            json_bodies.loads(body)
        except json_bodies.TooDeeplyNested:
            return True
        except ValueError:  # not JSON: the view says so
            return False
        return False
