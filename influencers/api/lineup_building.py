"""Request and answer of `POST /api/v1/livestreams/{id}/build/` (the lineup builder)."""

from rest_framework import serializers

from influencers.lineup_builder import MAX_SLOTS, LineupPlan

SHARE = {"max_digits": 5, "decimal_places": 4, "min_value": 0, "max_value": 1}


class CategoryShareSerializer(serializers.Serializer):
    category = serializers.SlugField(help_text="A category slug; its subcategories count too.")
    min_share = serializers.DecimalField(required=False, default=0, **SHARE)
    max_share = serializers.DecimalField(required=False, default=1, **SHARE)

    def validate(self, attrs):
        if attrs["min_share"] > attrs["max_share"]:
            raise serializers.ValidationError(
                {"min_share": ["The minimum share cannot be above the maximum."]}
            )
        return attrs


class BuildLineupSerializer(serializers.Serializer):
    slots = serializers.IntegerField(min_value=1, max_value=MAX_SLOTS)
    category_mix = CategoryShareSerializer(many=True, required=False, default=list)
    new_share = serializers.DecimalField(
        required=False, default=0, help_text="Minimum share of items new to you.", **SHARE
    )

    def service_arguments(self) -> dict:
        data = self.validated_data
        mix = {
            row["category"]: (row["min_share"], row["max_share"]) for row in data["category_mix"]
        }
        return {"slots": data["slots"], "category_mix": mix, "new_share": data["new_share"]}


class ExplanationSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    role = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class BuildNoteSerializer(serializers.Serializer):
    kind = serializers.CharField()
    message = serializers.CharField()
    category = serializers.CharField(allow_blank=True)


def explanations(plan: LineupPlan) -> dict:
    """Each slot's reasons by position, and the rules the builder could not meet."""
    return {
        "explanations": [
            {"position": position, "enrollment": slot.enrollment_id, "role": slot.role,
             "reasons": slot.reasons}
            for position, slot in enumerate(plan.slots, start=1)
        ],
        "notes": [
            {"kind": note.kind, "message": note.message, "category": note.category}
            for note in plan.notes
        ],
    }  # fmt: skip
