"""Serializers of tracked links, also used by the livestream's ``generate-links`` action."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commissions.models import AffiliateLink
from commissions.selectors.links import link_url
from commissions.services.links import LineupLinks
from core.fields import IdField


class LinkSerializer(serializers.ModelSerializer):
    # A plain id: whether an enrollment exists is no business of a buyer who cannot reach it.
    enrollment = IdField(source="enrollment_id")
    url = serializers.SerializerMethodField()
    destination = serializers.CharField(source="enrollment.product.storefront_url", read_only=True)

    class Meta:
        model = AffiliateLink
        fields = ["id", "enrollment", "code", "url", "destination", "expires_at"]
        read_only_fields = ["code", "expires_at"]

    @extend_schema_field(serializers.URLField())
    def get_url(self, link: AffiliateLink) -> str:
        return link_url(self.context["request"], link.code)


class LinkCreateSerializer(serializers.Serializer):
    enrollment = IdField()


class SlotLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="the lineup slot")
    position = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    link = LinkSerializer(allow_null=True, help_text="null when the slot was skipped")


class SkippedSlotSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="the lineup slot")
    position = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    message = serializers.CharField()


class LineupLinksSerializer(serializers.Serializer):
    livestream = serializers.IntegerField()
    slots = SlotLinkSerializer(many=True)
    skipped = SkippedSlotSerializer(many=True)


def lineup_links_data(result: LineupLinks, *, context: dict) -> dict:
    """The answer of ``generate-links``: every slot with its link, and the skipped ones."""
    message = _("You cannot promote this item any more.")
    return {
        "livestream": result.livestream.pk,
        "slots": [
            {
                "id": slot.pk,
                "position": slot.position,
                "enrollment": slot.enrollment_id,
                "link": LinkSerializer(link, context=context).data if link else None,
            }
            for slot, link in result.slots
        ],
        "skipped": [
            {"id": s.pk, "position": s.position, "enrollment": s.enrollment_id, "message": message}
            for s in result.skipped
        ],
    }
