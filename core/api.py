"""API plumbing shared by every app: pagination, the error mapping, per-address limits."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from core.client_address import client_ip, hash_ip
from core.errors import DomainError
from core.ratelimit import rate_setting, seconds_over


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_payload(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        # Model-level validation that slipped past a serializer is still the caller's 400.
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_401_UNAUTHORIZED:
        response.data = {"detail": str(response.data.get("detail", "Not authenticated."))}
    return response


class AddressThrottle(BaseThrottle):
    """At most the rate in the setting ``rate_name`` per client address (proxy-aware, as for
    clicks), counted in the cache under ``scope``; fails open when the cache is down. Above
    it the answer is 429 with Retry-After."""

    scope = ""
    rate_name = ""

    def allow_request(self, request, view) -> bool:
        self.retry_after = seconds_over(
            scope=self.scope, ident=hash_ip(client_ip(request)), rate=rate_setting(self.rate_name)
        )
        return not self.retry_after

    def wait(self) -> int:
        return self.retry_after
