"""Serializer fields shared by the API."""

from rest_framework import serializers

# DEFAULT_AUTO_FIELD is BigAutoField: ids are signed 64-bit.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """An object id sent by a client: positive and within the primary key's range, so a huge
    number is a 400 on the field instead of a database overflow (a 500)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def parse_id(value: object) -> int | None:
    """An object id from a query parameter or a form field, or None: ASCII digits within the
    primary key's range. (``str.isdigit`` also takes "²", which ``int`` refuses, and ``int``
    refuses more than 4,300 digits: both were 500s.)"""
    text = "" if value is None else str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
