"""The dates and times the platform takes from outside, and the fields that hold them to it.

Every date or time a caller sends (query parameters such as ``from``, ``to`` and ``paid_to``,
bodies such as a settlement's ``as_of``, a webhook's ``occurred_at``, the ``paid_at`` cells of
an order export) lies between ``EARLIEST_DATE`` and ``LATEST_DATE``, or is a 400 on its
field. Python's dates end at years 1 and 9999, and the code moves dates about: the day after
``to``, a local midnight turned into UTC, an attribution window subtracted from a payment, the
month after a statement's month. At the ends of Python's range these overflow (a 500); within
these bounds they cannot, with centuries to spare. Nothing on the platform predates 2000 (it
has no history from before then to read) or is planned beyond 2100.

The DRF fields (``DateField``, ``DateTimeField``), the form fields (``DateFormField``,
``DateTimeFormField``) and django-filter's ``DateFilter`` below are the ordinary ones with the
bound added; plain code (CSV cells) calls ``check_in_range`` or ``in_range``.
"""

from datetime import date, datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from rest_framework import serializers

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def out_of_range_message() -> str:
    return _("Enter a date between %(earliest)s and %(latest)s.") % {
        "earliest": EARLIEST_DATE.isoformat(),
        "latest": LATEST_DATE.isoformat(),
    }


def in_range(value: date | datetime) -> bool:
    """The day of ``value`` (in the zone it was given in) lies within the bounds."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def check_in_range(value: date | datetime | None) -> None:
    """A validator for Django forms and DRF alike: ``ValidationError`` outside the bounds."""
    if value is not None and not in_range(value):
        raise ValidationError(out_of_range_message(), code="date_out_of_range")


class DateField(serializers.DateField):
    """DRF's date field within the platform's range."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(check_in_range)


class DateTimeField(serializers.DateTimeField):
    """DRF's date-time field within the platform's range. A time so close to year 9999 that
    DRF cannot even convert it to the platform's zone gets the same message."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["overflow"] = lazy(out_of_range_message, str)()
        self.validators.append(check_in_range)


class DateFormField(forms.DateField):
    """A form's date within the platform's range."""

    default_validators = [check_in_range]


class DateTimeFormField(forms.DateTimeField):
    """A form's date and time within the platform's range."""

    default_validators = [check_in_range]


class DateFilter(django_filters.DateFilter):
    """A filter on a day within the platform's range: outside it, the filter set's form has
    the error on this parameter (the API answers 400 with it, a portal page shows it)."""

    field_class = DateFormField
