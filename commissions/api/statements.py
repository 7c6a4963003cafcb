"""Monthly statements (JSON or CSV) and payouts under /api/v1/.

- ``GET /statements/?month=YYYY-MM`` (default last month) is the caller's organisation's
  statement; ``?format=csv`` is the same content as a CSV file for Excel. Operators name
  the organisation (``?organisation=<id>``); a member naming another organisation gets 404.
- ``/payouts/``: operators record payouts to buyers and providers and merchants' payments
  (``POST``) and list all of them; members list their own.
"""

import uuid

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.models import MEMBERS, OPERATOR
from accounts.permissions import MEMBER_API_PERMISSIONS
from commissions.models import LedgerEntry, LedgerTransaction
from commissions.models.money import MONEY
from commissions.selectors.payouts import payout_amount, payouts_for
from commissions.selectors.statements import parse_month, statement_for, statement_organisation
from commissions.services.payouts import COLLECTION, PAYOUT, record_payment
from core.csv_upload import write_csv
from core.fields import IdField, parse_id

PAYMENT_KIND_CHOICES = [(PAYOUT, _("Payout")), (COLLECTION, _("Merchant payment"))]
SECTION_NAMES = ("lines", "clawbacks", "incentives", "payouts", "payments", "corrections")
CSV_COLUMNS = ["section", "date", "reference", "order", "sku", "base_amount", "amount",
               "credits", "description"]  # fmt: skip


def money_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY, **kwargs)


class StatementOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()


class StatementItemSerializer(serializers.Serializer):
    date = serializers.DateField()
    reference = serializers.CharField()
    order = serializers.CharField(help_text="External order id of a settled or clawed-back line.")
    sku = serializers.CharField()
    base_amount = money_field(allow_null=True, help_text="The line's paid amount less refunds.")
    amount = money_field(help_text="What the transaction did to this organisation's balance.")
    description = serializers.CharField()


class CreditSerializer(serializers.Serializer):
    date = serializers.DateField()
    programme = serializers.CharField()
    month = serializers.CharField(help_text="The month the credits were earned for, YYYY-MM.")
    settled_gmv = money_field()
    credits = money_field()


class TotalsSerializer(serializers.Serializer):
    lines = money_field()
    clawbacks = money_field()
    incentives = money_field()
    payouts = money_field()
    payments = money_field()
    corrections = money_field()
    credits = money_field(help_text="Traffic credits: not money, not in the balance.")


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"})
class MonthField(serializers.DateField):
    """A month as YYYY-MM (the schema says so; a plain DateField would claim a full date)."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class StatementSerializer(serializers.Serializer):
    organisation = StatementOrganisationSerializer()
    month = MonthField()
    start = serializers.DateField()
    end = serializers.DateField()
    opening_balance = money_field()
    lines = StatementItemSerializer(many=True, source="sections.lines")
    clawbacks = StatementItemSerializer(many=True, source="sections.clawbacks")
    incentives = StatementItemSerializer(many=True, source="sections.incentives")
    payouts = StatementItemSerializer(many=True, source="sections.payouts")
    payments = StatementItemSerializer(many=True, source="sections.payments")
    corrections = StatementItemSerializer(many=True, source="sections.corrections")
    credits = CreditSerializer(many=True)
    totals = TotalsSerializer()
    closing_balance = money_field()


def statement_rows(data: dict) -> list[dict]:
    """The statement as CSV rows: opening balance, each item by section, credits, closing."""
    heading = f"{data['organisation']['name']} {data['month']}"
    rows = [
        {
            "section": "opening_balance",
            "date": data["start"],
            "amount": data["opening_balance"],
            "description": heading,
        }
    ]
    for section in SECTION_NAMES:
        rows.extend(
            {"section": section, **item, "base_amount": item["base_amount"] or ""}
            for item in data[section]
        )
    rows.extend(
        {
            "section": "credits",
            "date": credit["date"],
            "base_amount": credit["settled_gmv"],
            "credits": credit["credits"],
            "description": f"{credit['programme']} {credit['month']}",
        }
        for credit in data["credits"]
    )
    rows.append(
        {
            "section": "closing_balance",
            "date": data["end"],
            "amount": data["closing_balance"],
            "description": heading,
        }
    )
    return rows


class StatementCSVRenderer(renderers.BaseRenderer):
    """``?format=csv``: UTF-8 with a byte-order mark, so Excel reads Chinese names right."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        # write_csv guards text cells against formulas (order ids and names come from outside).
        rows = ([row.get(name, "") for name in CSV_COLUMNS] for row in statement_rows(data))
        return "".join(write_csv(CSV_COLUMNS, rows)).encode("utf-8")


class StatementView(APIView):
    """An organisation's monthly statement from the ledger (Asia/Shanghai months)."""

    permission_classes = [IsAuthenticated, *MEMBER_API_PERMISSIONS]
    allowed_roles = (*MEMBERS, OPERATOR)
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, StatementCSVRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM; default last month"),
            OpenApiParameter("organisation", int, description="Operators only: whose statement"),
        ],
        responses=StatementSerializer,
    )
    def get(self, request):
        organisation = statement_organisation(
            user=request.user, organisation_id=request.query_params.get("organisation")
        )
        month = parse_month(request.query_params.get("month"))
        statement = statement_for(organisation=organisation, month=month)
        response = Response(StatementSerializer(statement).data)
        if request.accepted_renderer.format == "csv":
            filename = f"statement-{organisation.pk}-{month:%Y-%m}.csv"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def handle_exception(self, exc):
        # Errors answer in JSON even when a CSV file was asked for.
        if getattr(self.request, "accepted_renderer", None) is not None:
            self.request.accepted_renderer = renderers.JSONRenderer()
            self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)


class PayoutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    organisation_name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=PAYMENT_KIND_CHOICES, read_only=True)
    amount = serializers.SerializerMethodField()
    reference = serializers.CharField(read_only=True)
    memo = serializers.CharField(read_only=True)
    posted_at = serializers.DateTimeField(read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, help_text="Operator."
    )

    def get_amount(self, payout) -> str:
        return f"{payout_amount(payout):.2f}"


class PayoutRequestSerializer(serializers.Serializer):
    organisation = IdField()
    amount = money_field()
    kind = serializers.ChoiceField(choices=PAYMENT_KIND_CHOICES, default=PAYOUT)
    reference = serializers.CharField(
        required=False, max_length=64,
        help_text="Idempotency key: the same key again pays once and answers the first payout.",
    )  # fmt: skip
    memo = serializers.CharField(required=False, allow_blank=True, max_length=200)


class PayoutViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payouts to buyers and providers and merchants' payments: operators record them and see
    all; members see their own."""

    permission_classes = [IsAuthenticated, *MEMBER_API_PERMISSIONS]
    allowed_roles = (*MEMBERS, OPERATOR)
    write_roles = (OPERATOR,)
    serializer_class = PayoutSerializer
    queryset = LedgerTransaction.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        payouts = payouts_for(user=self.request.user)
        kind = self.request.query_params.get("kind")
        if kind in (PAYOUT, COLLECTION):
            payouts = payouts.filter(kind=kind)
        organisation = parse_id(self.request.query_params.get("organisation"))
        if organisation is not None:
            theirs = LedgerEntry.objects.filter(account__organisation_id=organisation)
            payouts = payouts.filter(pk__in=theirs.values("transaction_id"))
        return payouts

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=[PAYOUT, COLLECTION]),
            OpenApiParameter("organisation", int),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PayoutRequestSerializer, responses={201: PayoutSerializer})
    def create(self, request):
        serializer = PayoutRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        recorded = record_payment(
            organisation_id=data["organisation"], kind=data["kind"], amount=data["amount"],
            key=data.get("reference") or uuid.uuid4().hex, by=request.user,
            memo=data.get("memo", ""),
        )  # fmt: skip
        payout = payouts_for(user=request.user).get(pk=recorded.transaction.pk)
        answer = status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK
        return Response(PayoutSerializer(payout).data, status=answer)
