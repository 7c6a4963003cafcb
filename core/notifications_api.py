from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.fields import IdField
from core.models import Notification
from core.notifications import mark_read, notifications_for


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "link", "created_at", "read_at"]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=IdField(), required=False)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's organisation's notices, newest first; `?unread=1` for unread ones."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()

    def get_queryset(self):
        notices = notifications_for(organisation=self.request.user.organisation)
        if self.request.query_params.get("unread") in {"1", "true"}:
            notices = notices.filter(read_at__isnull=True)
        return notices

    @extend_schema(request=MarkReadSerializer, responses={200: MarkReadSerializer})
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = request.user.organisation
        count = (
            mark_read(organisation=organisation, ids=data.validated_data.get("ids"))
            if organisation
            else 0
        )
        return Response({"marked": count})
