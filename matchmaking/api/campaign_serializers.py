from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import dates
from matchmaking.models import Campaign
from matchmaking.selectors.campaigns import effective_status
from merchants.models import Category


class CampaignSerializer(serializers.ModelSerializer):
    """The contract's fields plus ``min_merchant_rating``; ``status`` is the effective one.

    Rules are checked by ``services.campaigns`` (400 naming the field, 409 for
    changes not allowed in the current status); this only parses.
    """

    categories = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Category.objects.all(), required=False
    )
    registration_start = dates.DateField()
    registration_end = dates.DateField()
    promotion_start = dates.DateField()
    promotion_end = dates.DateField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "categories",
            "registration_start",
            "registration_end",
            "promotion_start",
            "promotion_end",
            "min_commission_rate",
            "service_fee_rate",
            "settlement_delay_days",
            "attribution_window_days",
            "min_merchant_rating",
            "status",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Campaign.Status.choices))
    def get_status(self, campaign: Campaign) -> str:
        return effective_status(campaign)
