from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.models import Invitation, Organisation, Role, User


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "status"]


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "role", "status", "created_at", "approved_at"]


class MeSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, allow_null=True)
    organisation = OrganisationSerializer(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "role", "organisation"]


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "date_joined"]


class RegisterSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    organisation = serializers.CharField(max_length=120, required=False, allow_blank=True)
    invitation = serializers.CharField(
        required=False, help_text="Join the organisation that invited you instead of a new one."
    )

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("This username is taken.")
        return value

    def validate_email(self, value: str) -> str:
        # A registered address is no error here: the view answers 202 and mails its owner, so
        # the answer does not say who has an account (accounts.services.register_member).
        return value.lower()

    def to_internal_value(self, data):
        # Report a missing role and organisation together with any other field error.
        missing = {}
        if hasattr(data, "get") and not data.get("invitation"):
            if not data.get("role"):
                missing["role"] = ["Choose merchant, buyer or provider."]
            if not str(data.get("organisation") or "").strip():
                missing["organisation"] = ["Give your organisation a name."]
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({**exc.detail, **missing}) from exc
        if missing:
            raise serializers.ValidationError(missing)
        return attrs

    def validate(self, attrs: dict) -> dict:
        user = User(username=attrs["username"], email=attrs["email"])
        try:
            validate_password(attrs["password"], user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)


class InvitationSerializer(serializers.ModelSerializer):
    invited_by = serializers.CharField(source="invited_by.username", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = ["id", "email", "status", "invited_by", "created_at", "expires_at"]
        read_only_fields = ["status", "created_at", "expires_at"]
