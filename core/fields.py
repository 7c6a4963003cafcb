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
