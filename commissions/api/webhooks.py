"""``POST /api/v1/webhooks/orders/``: the storefront's signed order events (DESIGN.md "Webhooks").

No session, CSRF or token: the X-Signature header is the authentication, and
it is checked on the raw body before anything is parsed or stored. Before even that, each
client address may send ``WEBHOOK_RATE_LIMIT`` (6,000 a minute) requests; above it the answer is
429 with Retry-After and nothing is read.
"""

from datetime import UTC, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from commissions.models import OrderEvent
from commissions.services.orders import REFUND_ABOVE_PAID, IncomingEvent, record_order_event
from commissions.services.webhooks import SIGNATURE_HEADER, verify_signature
from core import dates, json_bodies
from core.api import AddressThrottle
from core.errors import DomainError


class WebhookLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    refunded_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False
    )

    def validate(self, attrs):
        attrs.setdefault("refunded_amount", Decimal("0.00"))
        if attrs["refunded_amount"] > attrs["amount"]:
            raise serializers.ValidationError({"refunded_amount": [str(REFUND_ABOVE_PAID)]})
        return attrs


class WebhookOrderSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    click_id = serializers.CharField(max_length=32, required=False, allow_blank=True)
    link_code = serializers.CharField(max_length=16, required=False, allow_blank=True)
    lines = WebhookLineSerializer(many=True, required=False)
    occurred_at = dates.DateTimeField(required=False)


class WebhookEventSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(choices=OrderEvent.Type.choices)
    order = WebhookOrderSerializer()

    def validate(self, attrs):
        if attrs["type"] == OrderEvent.Type.PAID and not attrs["order"].get("lines"):
            message = _("A paid order has at least one line.")
            raise serializers.ValidationError({"order": {"lines": [message]}})
        return attrs


class WebhookAcceptedSerializer(serializers.Serializer):
    order = serializers.IntegerField(help_text="The order's id.")
    external_id = serializers.CharField()
    status = serializers.CharField()
    duplicate = serializers.BooleanField(help_text="True when this event_id was seen before.")


def order_payload(order: dict) -> dict:
    """The validated order object, JSON-safe: what the event keeps and replays."""
    payload = {
        "external_id": order["external_id"],
        "click_id": order.get("click_id", ""),
        "link_code": order.get("link_code", ""),
        "lines": [
            {
                "sku": line["sku"],
                "quantity": line["quantity"],
                "amount": f"{line['amount']:.2f}",
                "refunded_amount": f"{line['refunded_amount']:.2f}",
            }
            for line in order.get("lines", [])
        ],
    }
    if order.get("occurred_at"):
        payload["occurred_at"] = order["occurred_at"].isoformat()
    return payload


def parse_body(body: bytes) -> object:
    try:
        # Decimal, not float: amounts sent as JSON numbers keep their exact value.
        return json_bodies.loads(body, parse_float=Decimal)
    except json_bodies.TooDeeplyNested as exc:
        raise DomainError(str(exc)) from exc
    except ValueError as exc:  # not UTF-8, or not JSON
        raise DomainError(_("The body is not valid JSON.")) from exc


class WebhookThrottle(AddressThrottle):
    scope = "webhook"
    rate_name = "WEBHOOK_RATE_LIMIT"


class OrderWebhookView(APIView):
    """One storefront event: order.paid, order.confirmed, order.refunded or order.cancelled.

    A new event answers 201, a repeated event_id 200; both with the order's id and status.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [WebhookThrottle]
    parser_classes = [JSONParser]  # documents the body; the view reads the raw bytes itself

    @extend_schema(
        request=WebhookEventSerializer,
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description='t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">',
            )
        ],
        responses={
            201: WebhookAcceptedSerializer,
            200: WebhookAcceptedSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad signature or body."),
            409: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The event's lines contradict the order's first paid event; "
                "nothing is stored and the merchant is told.",
            ),
            429: OpenApiResponse(OpenApiTypes.OBJECT, description="Too many from this address."),
        },
        auth=[],
    )
    def post(self, request):
        body = request.body  # the raw bytes, read before anything parses them
        signed_at = verify_signature(header=request.headers.get(SIGNATURE_HEADER), body=body)
        serializer = WebhookEventSerializer(data=parse_body(body))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = data["order"]
        occurred_at = order.get("occurred_at") or datetime.fromtimestamp(signed_at, tz=UTC)
        outcome = record_order_event(
            event=IncomingEvent(
                event_id=data["event_id"],
                type=data["type"],
                occurred_at=occurred_at,
                source=OrderEvent.Source.WEBHOOK,
                payload=order_payload(order),
            )
        )
        body = {
            "order": outcome.order.pk,
            "external_id": outcome.order.external_id,
            "status": outcome.order.status,
            "duplicate": not outcome.created,
        }
        return Response(body, status=status.HTTP_201_CREATED if outcome.created else 200)
