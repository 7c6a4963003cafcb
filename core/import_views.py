"""The HTTP side of a CSV import, shared by products and orders, in the portal and the API.

Every import runs the same way: a small file is applied at once and answered with a summary;
a large one is queued as an import row and the user is sent to its progress; a file with a
bad row changes nothing and every bad row is listed. The importer decides which; these
views only translate its outcome.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.csv_upload import CsvBodyParser, CsvRejected, uploaded_csv_bytes
from core.errors import DomainError
from core.models import ImportJob

# import_products / import_orders: (merchant, by, data, filename) -> summary or queued job
Importer = Callable[..., Any]


class CsvImportPostMixin:
    """A portal view's POST of an upload: done -> message and ``done_route``; queued -> the
    job's ``progress_route``; rejected -> ``page()`` again with every bad row."""

    form_class: type[forms.Form]
    progress_route: str
    done_route: str

    def run_import(self, **upload: Any) -> Any:
        raise NotImplementedError

    def done_message(self, outcome: Any) -> str:
        raise NotImplementedError

    def page(self, form: forms.Form, errors: list | None = None, status: int = 200):
        raise NotImplementedError

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            outcome = self.run_import(
                merchant=request.user.organisation,
                by=request.user,
                data=upload.content,
                filename=upload.name,
            )
        except CsvRejected as rejected:
            return self.page(form, errors=[error.as_dict() for error in rejected.errors])
        except DomainError as error:
            form.add_error("file", error.message)
            return self.page(form, status=400)
        if isinstance(outcome, ImportJob):
            return redirect(self.progress_route, pk=outcome.pk)
        messages.success(request, self.done_message(outcome))
        return redirect(self.done_route)


class ImportProgressMixin:
    """A large import's page (or, as ``status_template``, the partial that polls itself every
    second until done); another merchant's import is a 404."""

    template_name: str
    context_name: str

    def imports(self, merchant) -> QuerySet:
        raise NotImplementedError

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(self.imports(request.user.organisation), pk=pk)
        return render(request, self.template_name, {self.context_name: job})


def csv_import_action(
    *,
    upload: type[serializers.Serializer],
    done: type[serializers.Serializer],
    queued: type[serializers.Serializer],
    rejected: type[serializers.Serializer],
    rejected_description: str,
):
    """``POST .../import/`` on a viewset, as raw ``text/csv`` or a multipart ``file``."""

    def decorate(method):
        method = action(
            detail=False,
            methods=["post"],
            url_path="import",
            parser_classes=[CsvBodyParser, MultiPartParser],
        )(method)
        return extend_schema(
            request={"text/csv": OpenApiTypes.BINARY, "multipart/form-data": upload},
            responses={
                200: done,
                202: queued,
                400: OpenApiResponse(rejected, description=rejected_description),
            },
            filters=False,
        )(method)

    return decorate


def import_response(
    request: Request,
    *,
    importer: Importer,
    detail_route: str,
    summary: Callable[[Any], dict],
) -> Response:
    """Run the import on the request's CSV: 200 with ``summary(outcome)`` when applied, 202
    with the job's URL when queued. A rejected file raises CsvRejected (400, every row)."""
    content, filename = uploaded_csv_bytes(request.data)
    outcome = importer(
        merchant=request.user.organisation, by=request.user, data=content, filename=filename
    )
    if isinstance(outcome, ImportJob):
        url = request.build_absolute_uri(reverse(detail_route, args=[outcome.pk]))
        body = {"id": outcome.pk, "status": outcome.status, "url": url}
        return Response(body, status=status.HTTP_202_ACCEPTED)
    return Response(summary(outcome))
