"""CSV files in and out: product imports today, storefront orders and shipments later.

What every CSV upload shares:
- the file arrives as the request body (``Content-Type: text/csv``) or as a
  multipart field ``file``, and is at most ``MAX_UPLOAD_BYTES``;
- a multipart file is named ``*.csv`` or ``*.txt`` and declared as text (``check_name_and_type``),
  and no upload is binary: NUL bytes, or an Excel workbook sent by mistake (``check_content``);
- it is UTF-8 (with or without the BOM Excel writes) or, failing that,
  GB18030 (what Chinese Excel saves as "CSV");
- the first record is the header; columns are matched case-insensitively;
- a rejected file answers 400 ``{"errors": [{line, field, message}]}`` where
  ``line`` counts the header as line 1 (spreadsheet row numbers).

Downloads (``write_csv``) guard text cells against formula injection: a spreadsheet runs a cell
starting with ``=``, ``+``, ``-`` or ``@`` (and tab or CR, which some of them strip first), and
names, SKUs and order ids come from outside.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from rest_framework.parsers import BaseParser

from core.errors import DomainError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_FIELD = "file"
CSV_SUFFIXES = (".csv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# What browsers and HTTP clients declare for a .csv or .txt file: Windows browsers send Excel's
# type for .csv when Excel is installed; older Safari and Firefox use the x- and long forms.
TEXT_TYPES = frozenset(
    {
        "text/csv",
        "text/plain",
        "text/x-csv",
        "text/comma-separated-values",
        "application/csv",
        "application/x-csv",
        "application/vnd.ms-excel",
    }
)
# Said by clients that do not know the type; believed only of a file named *.csv.
UNKNOWN_TYPES = frozenset({"", "application/octet-stream"})
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx and .xlsm are zip archives
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


class CellError(Exception):
    """A cell's value is wrong; the importer reports it with the row's line and the column."""

    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = str(message)


def read_text_cell(cell: str, *, max_length: int, required: bool) -> str:
    """A text cell, trimmed: present when ``required``, at most ``max_length`` characters."""
    value = cell.strip()
    if required and not value:
        raise CellError(_("This value is required."))
    if len(value) > max_length:
        raise CellError(_("At most %(count)d characters.") % {"count": max_length})
    return value


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


def excel_error() -> DomainError:
    return DomainError(
        _(
            "This is an Excel workbook, not a CSV file. In Excel choose Save As, then "
            "CSV UTF-8 (Comma delimited), and upload that file."
        ),
        field=UPLOAD_FIELD,
    )


def check_name_and_type(upload: UploadedFile) -> None:
    """A multipart file named *.csv or *.txt and declared as text; told apart from a workbook."""
    name = (upload.name or "").lower()
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if name.endswith(EXCEL_SUFFIXES) or "spreadsheetml" in declared:
        raise excel_error()
    if not name.endswith(CSV_SUFFIXES):
        raise DomainError(
            _("Upload a .csv or .txt file; %(name)s is neither.") % {"name": upload.name},
            field=UPLOAD_FIELD,
        )
    if declared in TEXT_TYPES or (declared in UNKNOWN_TYPES and name.endswith(".csv")):
        return
    raise DomainError(
        _("The file was sent as %(type)s, not as CSV text. Save it as CSV UTF-8 and try again.")
        % {"type": declared or _("an unknown type")},
        field=UPLOAD_FIELD,
    )


def check_content(data: bytes) -> bytes:
    """Refuse binary files whatever their name says: a workbook, or anything with NUL bytes
    (which also catches UTF-16, Excel's "Unicode Text")."""
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise excel_error()
    if b"\x00" in data:
        raise DomainError(
            _("The file is not text (it contains NUL bytes). Save it as CSV UTF-8 and try again."),
            field=UPLOAD_FIELD,
        )
    return data


def read_uploaded_file(upload: UploadedFile) -> bytes:
    """The bytes of a multipart upload once its name, type, size and content passed: the one
    check every CSV upload goes through (API and portal)."""
    check_name_and_type(upload)
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise too_large_error()
    upload.seek(0)
    return check_content(read_limited(upload))


@dataclass(frozen=True)
class CsvUpload:
    name: str
    content: bytes


class CsvFileField(forms.FileField):
    """A portal form's CSV file, cleaned to its name and bytes by ``read_uploaded_file``."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload is None or upload is False:
            return upload
        try:
            return CsvUpload(name=upload.name or "", content=read_uploaded_file(upload))
        except DomainError as error:
            raise forms.ValidationError(error.message) from error


class CsvBodyParser(BaseParser):
    """DRF parser for a raw CSV request body; ``request.data`` becomes the bytes."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        return read_limited(stream) if stream is not None else b""


def uploaded_csv_bytes(data: Any) -> tuple[bytes, str]:
    """The uploaded file's bytes and name from a DRF ``request.data`` (raw body or multipart)."""
    if isinstance(data, bytes):
        content, name = check_content(data), ""
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


def unguarded(cell: str) -> str:
    """Undo ``spreadsheet_safe`` so an export re-imports unchanged: ``'=x`` reads as ``=x``."""
    return cell[1:] if cell.startswith("'") and cell[1:2].startswith(FORMULA_STARTS) else cell


def read_csv(text: str, *, columns: Sequence[str], required: Sequence[str]) -> CsvTable:
    """Parse the text, check the header and pair each record's cells with its columns.

    Blank records (Excel leaves them at the end) are skipped but still counted
    in line numbers. A record with more cells than the header lands in ``errors``. A cell
    our export guarded against formulas (``'=...``) reads without the quote.
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
        cells = [unguarded(cell) for cell in record] + [""] * (len(header) - len(record))
        rows.append((line, dict(zip(header, cells, strict=False))))
    return CsvTable(columns=header, rows=rows, errors=errors)


def is_number(text: str) -> bool:
    """A plain decimal like -12.50 (not " 1", "1_000", "-inf" or "NaN", which Decimal takes)."""
    if text.strip() != text or "_" in text:
        return False
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading ``'``; numbers (-12.50
    stays a number) and every other value are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not is_number(value):
        return f"'{value}"
    return value


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterable[str]:
    """CSV text in pieces for a streaming download, with a BOM so Excel reads it as UTF-8, and
    every text cell made safe from formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([spreadsheet_safe(name) for name in columns])
    for count, row in enumerate(rows, start=1):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
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
