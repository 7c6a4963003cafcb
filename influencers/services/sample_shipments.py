"""Shipping many samples at once from a CSV of tracking numbers; all rows or none."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import visible_to
from accounts.services import ensure_can_write
from core.csv_upload import CsvRejected, RowError, decode_csv, read_csv
from core.fields import parse_id
from influencers.models import SampleRequest
from influencers.services.samples import ship_sample_request

COLUMNS = ("sample_request", "carrier", "tracking_number")


def ship_samples_from_csv(*, by: User, content: bytes) -> list[int]:
    """Check every row first (the merchant's approved requests, carrier and tracking number
    given, each request once), then ship them all in one transaction."""
    ensure_can_write(by)
    table = read_csv(decode_csv(content), columns=COLUMNS, required=COLUMNS)
    errors = list(table.errors)
    ids = [parse_id(cells["sample_request"].strip()) for _line, cells in table.rows]
    known = {
        sample.pk: sample
        for sample in visible_to(SampleRequest.objects.all(), by.organisation).filter(
            pk__in=[pk for pk in ids if pk is not None],
            enrollment__product__merchant=by.organisation,
        )
    }
    seen: dict[int, int] = {}
    for line, cells in table.rows:
        errors.extend(row_errors(line, cells, known, seen))
    if errors:
        raise CsvRejected(sorted(errors, key=lambda error: (error.line or 0, error.field or "")))
    with transaction.atomic():
        for _line, cells in table.rows:
            ship_sample_request(
                request_id=parse_id(cells["sample_request"].strip()),
                by=by,
                carrier=cells["carrier"],
                tracking_number=cells["tracking_number"],
            )
    return sorted(seen)


def row_errors(line: int, cells: dict, known: dict, seen: dict[int, int]) -> list[RowError]:
    errors = []
    value = cells["sample_request"].strip()
    pk = parse_id(value)
    sample = known.get(pk) if pk is not None else None
    if sample is None:
        errors.append(RowError(line, "sample_request", _("No such sample request of yours.")))
    elif sample.pk in seen:
        errors.append(RowError(line, "sample_request", _("Already on line %d.") % seen[sample.pk]))
    elif sample.status != SampleRequest.Status.APPROVED:
        status = sample.get_status_display().lower()
        message = _("Only approved requests ship; this one is %s.") % status
        errors.append(RowError(line, "sample_request", message))
    if sample is not None:
        seen.setdefault(sample.pk, line)
    for column, message in (
        ("carrier", _("Name the carrier.")),
        ("tracking_number", _("Give the tracking number.")),
    ):
        if not cells[column].strip():
            errors.append(RowError(line, column, message))
    return errors
