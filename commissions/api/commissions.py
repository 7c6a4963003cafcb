from drf_spectacular.utils import extend_schema, extend_schema_view

from accounts.models import Role
from accounts.viewsets import ScopedReadOnlyViewSet
from commissions.api.commission_serializers import CommissionSerializer
from commissions.models import Commission
from commissions.selectors.commissions import CommissionFilter, commissions_for

MEMBERS = (Role.MERCHANT, Role.BUYER, Role.PROVIDER)


@extend_schema_view(
    list=extend_schema(
        description="Commissions of the lines the caller is a party of (merchant, buyer, "
        "provider or upstream provider), newest first. Filters: status, order (id), "
        "from / to (YYYY-MM-DD, local days of earned_at, included)."
    )
)
class CommissionViewSet(ScopedReadOnlyViewSet):
    """Each party sees the commissions of its own lines, with the whole split: current
    (estimated) figures at the top level, what settlement posted under ``settled``."""

    queryset = Commission.objects.all()
    serializer_class = CommissionSerializer
    allowed_roles = MEMBERS
    filterset_class = CommissionFilter
    ordering_fields = ["earned_at", "merchant_pays", "id"]

    def get_queryset(self):
        return commissions_for(organisation=self.request.user.organisation)
