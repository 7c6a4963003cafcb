"""CSV files in and out: product imports today, storefront orders and shipments later.

What every CSV upload shares:
- the file arrives as the request body (``Content-Type: text/csv``) or as a
  multipart field ``file``, and is at most ``MAX_UPLOAD_BYTES``;
- it is UTF-8 (with or without the BOM Excel writes) or, failing that,
  GB18030 (what Chinese Excel saves as "CSV");
- the first record is the header; columns are matched case-insensitively;
- a rejected file answers 400 ``{"errors": [{line, field, message}]}`` where
  ``line`` counts the header as line 1 (spreadsheet row numbers).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from rest_framework.parsers import BaseParser

from core.errors import DomainError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_FIELD = "file"


@dataclass(frozen=True)
class RowError:
    """One problem in a CSV file. ``field`` is the column, or None for the whole row;
    ``line`` is None for a problem of the file as a whole."""

    line: int | None
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": str(self.message)}


class CsvRejected(DomainError):
    """The file was refused as a whole; every bad row is listed."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        payload = {"errors": [error.as_dict() for error in self.errors]}
        super().__init__(_("The file has errors; nothing was imported."), detail=payload)


@dataclass
class CsvTable:
    """The parsed file: lower-cased header, the non-blank records with their line numbers,
    and the records that could not be paired with the header (for the caller to report
    together with its own row errors)."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    errors: list[RowError]


def too_large_error() -> DomainError:
    megabytes = MAX_UPLOAD_BYTES // (1024 * 1024)
    return DomainError(
        _("The file is larger than %(size)d MB. Split it into smaller files.")
        % {"size": megabytes},
        field=UPLOAD_FIELD,
    )


def read_limited(stream: Any) -> bytes:
    """Read at most MAX_UPLOAD_BYTES from a file-like object, refusing anything bigger."""
    data = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large_error()
    return data


def read_uploaded_file(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise too_large_error()
    upload.seek(0)
    return read_limited(upload)


class CsvBodyParser(BaseParser):
    """DRF parser for a raw CSV request body; ``request.data`` becomes the bytes."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        return read_limited(stream) if stream is not None else b""


def uploaded_csv_bytes(data: Any) -> tuple[bytes, str]:
    """The uploaded file's bytes and name from a DRF ``request.data`` (raw body or multipart)."""
    if isinstance(data, bytes):
        content, name = data, ""
    elif hasattr(data, "get") and isinstance(data.get(UPLOAD_FIELD), UploadedFile):
        upload = data.get(UPLOAD_FIELD)
        content, name = read_uploaded_file(upload), upload.name or ""
    else:
        content, name = b"", ""
    if not content.strip():
        raise DomainError(
            _(
                "Send a CSV file: as the request body with Content-Type text/csv, "
                "or as a multipart field named file."
            ),
            field=UPLOAD_FIELD,
        )
    return content, name


def decode_csv(data: bytes) -> str:
    """UTF-8 (BOM or not) first; GB18030 covers files saved by Chinese Excel."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
    raise DomainError(
        _("The file is not text in UTF-8 or GB18030. Save it as CSV UTF-8 and try again."),
        field=UPLOAD_FIELD,
    )


def header_errors(
    header: Sequence[str], *, columns: Sequence[str], required: Sequence[str]
) -> list[RowError]:
    errors = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            errors.append(RowError(1, name, _("This column appears more than once.")))
        elif name not in columns:
            message = _("Unknown column %(name)s. Columns are: %(columns)s.") % {
                "name": name or '""',
                "columns": ", ".join(columns),
            }
            errors.append(RowError(1, name, message))
        seen.add(name)
    for name in required:
        if name not in seen:
            errors.append(RowError(1, name, _("Missing column %(name)s.") % {"name": name}))
    return errors


def records(text: str) -> Iterable[tuple[int, list[str]]]:
    """Each CSV record with its line number; the header is line 1."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0
    try:
        for line, record in enumerate(reader, start=1):
            yield line, record
    except csv.Error as exc:
        raise CsvRejected([RowError(line + 1, None, _("Unreadable CSV: %s") % exc)]) from exc


def read_csv(text: str, *, columns: Sequence[str], required: Sequence[str]) -> CsvTable:
    """Parse the text, check the header and pair each record's cells with its columns.

    Blank records (Excel leaves them at the end) are skipped but still counted
    in line numbers. A record with more cells than the header lands in ``errors``.
    """
    found = records(text)
    first = next(iter(found), None)
    if first is None:
        raise CsvRejected(
            [RowError(1, None, _("The file is empty; the first line is the header."))]
        )
    header = [name.strip().lower() for name in first[1]]
    problems = header_errors(header, columns=columns, required=required)
    if problems:
        raise CsvRejected(problems)
    rows, errors = [], []
    for line, record in found:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
            errors.append(RowError(line, None, _("This row has more cells than the header.")))
            continue
        cells = record + [""] * (len(header) - len(record))
        rows.append((line, dict(zip(header, cells, strict=False))))
    return CsvTable(columns=header, rows=rows, errors=errors)


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterable[str]:
    """CSV text in pieces for a streaming download, with a BOM so Excel reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]):
    """A streamed CSV download: large exports never sit in memory whole."""
    response = StreamingHttpResponse(
        write_csv(columns, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
