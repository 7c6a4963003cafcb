from rest_framework import serializers

from accounts.models import Role
from core.fields import IdField
from matchmaking.models import Assortment, AssortmentItem
from matchmaking.services.assortments import ItemInput


class AssortmentItemSerializer(serializers.ModelSerializer):
    """One item: ``enrollment``, ``position`` (orders the list; stored as 1..n) and ``note``."""

    enrollment = IdField(source="enrollment_id")
    position = serializers.IntegerField(min_value=1, required=False)
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
    product_title = serializers.CharField(source="enrollment.product.title", read_only=True)
    campaign_name = serializers.CharField(source="enrollment.campaign.name", read_only=True)
    campaign_price = serializers.DecimalField(
        source="enrollment.campaign_price", max_digits=12, decimal_places=2, read_only=True
    )
    commission_rate = serializers.DecimalField(
        source="enrollment.commission_rate", max_digits=5, decimal_places=4, read_only=True
    )
    enrollment_status = serializers.CharField(source="enrollment.status", read_only=True)

    class Meta:
        model = AssortmentItem
        fields = [
            "enrollment",
            "position",
            "note",
            "product_title",
            "campaign_name",
            "campaign_price",
            "commission_rate",
            "enrollment_status",
        ]


class BuyerIdsField(serializers.ListField):
    """Buyer organisation ids; a buyer reading a shared assortment sees only its own id."""

    child = IdField()

    def to_representation(self, data):
        ids = [buyer.pk for buyer in data.all()]
        request = self.context.get("request")
        organisation = getattr(getattr(request, "user", None), "organisation", None)
        if organisation is not None and organisation.role == Role.BUYER:
            return [pk for pk in ids if pk == organisation.pk]
        return ids


class ItemListField(serializers.ListField):
    """Items in position order; written as a whole list that replaces the current one."""

    child = AssortmentItemSerializer()

    def to_representation(self, data):
        return super().to_representation(data.all())


class AssortmentSerializer(serializers.ModelSerializer):
    provider = serializers.IntegerField(source="provider_id", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    buyers = BuyerIdsField(required=False)
    items = ItemListField(required=False)

    class Meta:
        model = Assortment
        fields = [
            "id",
            "name",
            "description",
            "buyers",
            "items",
            "provider",
            "provider_name",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        extra_kwargs = {"name": {"max_length": 160}}

    def service_arguments(self) -> dict:
        """The validated data in the service's words; absent keys mean 'leave as it is'."""
        data = self.validated_data
        arguments: dict = {}
        for key in ("name", "description"):
            if key in data:
                arguments[key] = data[key]
        if "buyers" in data:
            arguments["buyer_ids"] = data["buyers"]
        if "items" in data:
            arguments["items"] = [
                ItemInput(
                    enrollment_id=item["enrollment_id"],
                    note=item.get("note", ""),
                    position=item.get("position"),
                )
                for item in data["items"]
            ]
        return arguments


class AssortmentReorderSerializer(serializers.Serializer):
    enrollments = serializers.ListField(
        child=IdField(),
        allow_empty=True,
        help_text="Every enrollment of the assortment, once each, in the new order.",
    )
