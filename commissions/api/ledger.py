"""The ledger's balances: ``GET /ledger/balances/``.

[{account, balance}] of the caller's organisation (an operator: the platform's own
accounts), each account's kind and the sum of its entries as "18.00": earnings positive,
what a merchant owes negative. One query.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import OPERATOR, Role
from accounts.permissions import HasRole
from commissions.models import Account
from commissions.selectors.ledger import account_balances


class BalanceSerializer(serializers.Serializer):
    account = serializers.ChoiceField(choices=Account.Kind.choices)
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)


class BalancesView(APIView):
    permission_classes = [IsAuthenticated, HasRole]
    allowed_roles = (Role.MERCHANT, Role.BUYER, Role.PROVIDER, OPERATOR)

    @extend_schema(responses=BalanceSerializer(many=True))
    def get(self, request):
        user = request.user
        rows = account_balances(organisation=user.organisation, platform=user.role == OPERATOR)
        return Response(BalanceSerializer(rows, many=True).data)
