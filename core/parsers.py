"""The API's request parsers: DRF's own, refusing NUL characters in any field.

PostgreSQL text cannot hold NUL (psycopg2 refuses such a parameter with ValueError). DRF's
text fields refuse it already, but a field that looks its value up (a category by slug) sent
it to the database: a 500. Here a NUL anywhere in a body's field, in its name or in any value
nested under it, is a 400 naming the field, as a text field would: ``{"category": ["Null
characters are not allowed."]}``. JSON spells NUL ``\\u0000`` (a raw NUL byte is not valid
JSON), so a JSON body without that escape is not walked at all. Query parameters, portal forms
and JSON nested too deeply are refused by core/middleware.py before any view runs.
"""

import io
from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import parsers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

NUL = "\x00"
JSON_NUL = b"\\u0000"


def holds_nul(value: Any) -> bool:
    """Whether a string anywhere in ``value`` (keys included) holds NUL; a loop, not recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def refuse_nul(fields: list[tuple[str, Any]]) -> None:
    for name, value in fields:
        if NUL in name or holds_nul(value):
            message = ProhibitNullCharactersValidator.message
            raise ValidationError({name.replace(NUL, "\\0"): [message]})


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        raw = stream.read() if stream is not None else b""
        data = super().parse(io.BytesIO(raw), media_type, parser_context)
        if JSON_NUL in raw:
            if isinstance(data, dict):
                refuse_nul(list(data.items()))
            else:
                refuse_nul([(api_settings.NON_FIELD_ERRORS_KEY, data)])
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_nul(list(data.lists()))
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_nul(list(parsed.data.lists()) + [(name, "") for name in parsed.files])
        return parsed
