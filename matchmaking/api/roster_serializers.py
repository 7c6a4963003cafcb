from rest_framework import serializers

from accounts.models import Organisation
from core.fields import IdField
from matchmaking.models import RosterMembership


class RosterMembershipSerializer(serializers.ModelSerializer):
    """Only ``buyer`` is written (to invite); everything else is read."""

    provider = serializers.IntegerField(source="provider_id", read_only=True)
    buyer = IdField(source="buyer_id")
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    ended_by = serializers.IntegerField(source="ended_by_id", read_only=True, allow_null=True)

    class Meta:
        model = RosterMembership
        fields = [
            "id",
            "provider",
            "buyer",
            "status",
            "provider_name",
            "buyer_name",
            "created_at",
            "accepted_at",
            "ended_at",
            "ended_by",
        ]
        read_only_fields = ["status", "created_at", "accepted_at", "ended_at"]


class BuyerDirectorySerializer(serializers.ModelSerializer):
    """What a provider may know of any active buyer: its id and name, nothing private."""

    class Meta:
        model = Organisation
        fields = ["id", "name"]
