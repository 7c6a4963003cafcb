"""Views that lose the database, for the unit tests of core.middleware (no tests here)."""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

handler500 = "core.views.server_error"
REFUSED = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused\n\tIs it up?'


def portal_page(request):
    raise OperationalError(REFUSED)


def closed_connection(request):
    raise InterfaceError("connection already closed")


def writes_session(request):
    request.session["seen"] = True  # saved by SessionMiddleware on the way out
    return HttpResponse("ok")


def broken(request):
    raise ValueError("a bug, not an outage")


@api_view(["GET"])
@permission_classes([AllowAny])
def api_view_without_database(request):
    raise OperationalError(REFUSED)


urlpatterns = [
    path("api/v1/down/", api_view_without_database),
    path("down/", portal_page),
    path("closed/", closed_connection),
    path("broken/", broken),
    path("session/", writes_session),
]
