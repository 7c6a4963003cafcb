from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from accounts.viewsets import ScopedModelViewSet
from core import dates
from core.fields import IdField
from influencers.api.lineup_building import BuildLineupSerializer, explanations
from influencers.models import MAX_LINEUP_SLOTS, LineupSlot, Livestream
from influencers.selectors.livestreams import lineup_warnings, livestreams_of
from influencers.services import livestreams as service
from influencers.services.lineup_building import build_livestream_lineup

# A livestream happens in our era: a year like 335 is a typo, and before 1901 Asia/Shanghai
# had a local mean time offset (+08:05:43) that no RFC 3339 client can read back.
FIRST_YEAR, LAST_YEAR = 2000, 2999


class SlotSerializer(serializers.ModelSerializer):
    enrollment = IdField(source="enrollment_id")
    position = serializers.IntegerField(read_only=True)
    sku = serializers.CharField(source="enrollment.product.sku", read_only=True)
    title = serializers.CharField(source="enrollment.product.title", read_only=True)

    class Meta:
        model = LineupSlot
        fields = ["id", "enrollment", "position", "role", "minutes", "target_units", "sku", "title"]


class WarningSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    kind = serializers.CharField()
    message = serializers.CharField()


class LivestreamSerializer(serializers.ModelSerializer):
    slots = SlotSerializer(many=True, required=False, max_length=MAX_LINEUP_SLOTS)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Livestream
        fields = ["id", "title", "scheduled_at", "status", "slots", "warnings", "copied_from"]
        read_only_fields = ["status", "copied_from"]

    def validate_scheduled_at(self, value):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise serializers.ValidationError(
                _("Schedule the livestream between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return value

    @extend_schema(responses=WarningSerializer(many=True))
    def get_warnings(self, livestream) -> list[dict]:
        return lineup_warnings(livestream) if self.context.get("with_warnings") else []

    def plans(self) -> list[service.SlotPlan] | None:
        slots = self.validated_data.get("slots")
        if slots is None:
            return None
        return [
            service.SlotPlan(
                enrollment_id=slot["enrollment_id"],
                role=slot.get("role", LineupSlot.Role.TRAFFIC),
                minutes=slot.get("minutes", 5),
                target_units=slot.get("target_units", 0),
            )
            for slot in slots
        ]


class ReorderSerializer(serializers.Serializer):
    slots = serializers.ListField(child=IdField(), help_text="slot ids, in order")


class CopySerializer(serializers.Serializer):
    scheduled_at = dates.DateTimeField()
    title = serializers.CharField(required=False, max_length=160)


class LivestreamViewSet(ScopedModelViewSet):
    """A buyer's livestreams with ordered lineups of at most 120 slots."""

    queryset = Livestream.objects.all()
    serializer_class = LivestreamSerializer
    allowed_roles = (Role.BUYER,)
    filterset_fields = ["status"]
    ordering_fields = ["scheduled_at", "created_at"]

    def get_queryset(self):
        return livestreams_of(buyer=self.request.user.organisation)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "with_warnings": self.action != "list"}

    def fresh(self, livestream, code=status.HTTP_200_OK, **extra):
        data = self.get_serializer(self.get_queryset().get(pk=livestream.pk)).data
        return Response({**data, **extra}, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        livestream = service.create_livestream(
            by=request.user,
            title=serializer.validated_data["title"],
            scheduled_at=serializer.validated_data["scheduled_at"],
            slots=serializer.plans(),
        )
        return self.fresh(livestream, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        livestream = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = self.get_serializer(livestream, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        livestream = service.update_livestream(
            by=request.user,
            livestream_id=livestream.pk,
            title=serializer.validated_data.get("title"),
            scheduled_at=serializer.validated_data.get("scheduled_at"),
            slots=serializer.plans(),
        )
        return self.fresh(livestream)

    def perform_destroy(self, instance):
        service.delete_livestream(by=self.request.user, livestream_id=instance.pk)

    def move(self, name):
        livestream = self.get_object()
        return self.fresh(
            service.move_livestream(by=self.request.user, livestream_id=livestream.pk, action=name)
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self.move("confirm")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="go-live")
    def go_live(self, request, pk=None):
        return self.move("go-live")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self.move("end")

    @extend_schema(request=ReorderSerializer)
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        livestream = self.get_object()
        data = ReorderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service.reorder_lineup(
            by=request.user, livestream_id=livestream.pk, slot_ids=data.validated_data["slots"]
        )
        return self.fresh(livestream)

    @extend_schema(request=CopySerializer)
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        livestream = self.get_object()
        data = CopySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        copy, skipped = service.copy_livestream(
            by=request.user, livestream_id=livestream.pk, **data.validated_data
        )
        return self.fresh(copy, status.HTTP_201_CREATED, skipped_enrollments=skipped)

    @extend_schema(request=BuildLineupSerializer)
    @action(detail=True, methods=["post"])
    def build(self, request, pk=None):
        """Replace a draft's lineup with the best items under the rules; each pick explained
        in ``explanations``, unmet rules in ``notes``."""
        livestream = self.get_object()
        data = BuildLineupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        livestream, plan = build_livestream_lineup(
            by=request.user, livestream_id=livestream.pk, **data.service_arguments()
        )
        return self.fresh(livestream, **explanations(plan))
