"""What every CSV import answers when it refuses a file (products, orders): each bad row, or
what is wrong with the upload itself. One shape for both, as core/import_views.py is one flow."""

from rest_framework import serializers


class ImportRowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="The header is line 1.")
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportErrorsSerializer(serializers.Serializer):
    """A refused upload: ``errors`` lists every bad row, or ``file`` says what is wrong with
    the upload itself (no CSV sent, not UTF-8/GB18030)."""

    errors = ImportRowErrorSerializer(many=True, required=False)
    file = serializers.ListField(child=serializers.CharField(), required=False)
