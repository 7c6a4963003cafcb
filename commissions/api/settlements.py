"""Settlement runs for operators: list them with their progress, and run one now.

``POST /settlements/run/`` {as_of?} (default today, never after today) answers 200 with the
finished run when it had at most ``SETTLEMENT_SYNC_MAX_LINES`` lines to post; a larger run
answers 202 with the run still running, a Celery task doing the work, and
``GET /settlements/{id}/`` shows its progress. Either way the body carries the counts
(settled, clawbacks, voided).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import IsOperator
from commissions import settlement, tasks
from commissions.models import SettlementRun
from commissions.selectors.ledger import settlement_runs
from core import dates


class SettlementRunSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = SettlementRun
        fields = [
            "id", "as_of", "status", "total", "processed", "settled", "clawbacks", "voided",
            "percent", "error", "requested_by", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class SettlementRequestSerializer(serializers.Serializer):
    as_of = dates.DateField(required=False, help_text="Default: today (Asia/Shanghai).")


class SettlementRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Operators only: members get 403."""

    permission_classes = [IsAuthenticated, IsOperator]
    serializer_class = SettlementRunSerializer
    queryset = SettlementRun.objects.none()

    def get_queryset(self):
        return settlement_runs()

    @extend_schema(
        request=SettlementRequestSerializer,
        responses={200: SettlementRunSerializer, 202: SettlementRunSerializer},
    )
    @action(detail=False, methods=["post"])
    def run(self, request):
        given = SettlementRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        run = settlement.start_settlement(
            as_of=given.validated_data.get("as_of"),
            by=request.user,
            enqueue=tasks.settle_commissions.delay,
        )
        running = run.status == SettlementRun.Status.RUNNING
        code = status.HTTP_202_ACCEPTED if running else status.HTTP_200_OK
        return Response(SettlementRunSerializer(run).data, status=code)
