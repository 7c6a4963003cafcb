from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.viewsets import ScopedGenericViewSet
from core.csv_upload import CsvBodyParser, uploaded_csv_bytes
from core.fields import IdField
from influencers.models import FollowerVerification, SampleRequest
from influencers.selectors.follower_checks import follower_facts, profile_of_organisation
from influencers.selectors.profiles import fulfilment_counts
from influencers.services import samples as service
from influencers.services.sample_deadlines import bulk_approve_sample_requests
from influencers.services.sample_shipments import ship_samples_from_csv


class BuyerSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    handle = serializers.CharField(allow_blank=True)
    platform = serializers.CharField(allow_blank=True)
    followers = serializers.IntegerField(help_text="The buyer's own claim, as followers_claimed.")
    followers_claimed = serializers.IntegerField(help_text="What the buyer says; rules ignore it.")
    followers_verified = serializers.IntegerField(
        help_text="The latest verified figure, 0 before any: what min_followers counts."
    )
    followers_verified_at = serializers.DateTimeField(allow_null=True)
    followers_verified_by = serializers.ChoiceField(
        choices=FollowerVerification.VerifierRole.choices,
        allow_null=True,
        help_text="The verifier's role, provider or operator.",
    )
    followers_unverified = serializers.BooleanField(
        help_text="True when nothing is verified or the claim differs from the verified figure."
    )
    fulfilment_rate = serializers.CharField(allow_null=True)


class SampleRequestSerializer(serializers.ModelSerializer):
    # Plain ids: whether an enrollment exists is no business of a buyer who cannot reach it.
    enrollment = IdField(source="enrollment_id")
    livestream = IdField(source="livestream_id", required=False, allow_null=True)
    sku = serializers.CharField(source="enrollment.product.sku", read_only=True)
    title = serializers.CharField(source="enrollment.product.title", read_only=True)
    buyer = serializers.SerializerMethodField()

    class Meta:
        model = SampleRequest
        fields = [
            "id", "enrollment", "livestream", "status", "carrier", "tracking_number",
            "approve_by", "ship_by", "fulfil_by", "sku", "title", "buyer", "reason",
            "extended", "auto_approved", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "status", "carrier", "tracking_number", "approve_by", "ship_by", "fulfil_by",
            "reason", "extended", "auto_approved", "created_at",
        ]  # fmt: skip

    @extend_schema_field(BuyerSummarySerializer)
    def get_buyer(self, sample) -> dict:
        rates = self.context.get("fulfilment", {})
        profile = profile_of_organisation(sample.buyer)
        facts = follower_facts(profile=profile)
        rate = rates.get(sample.buyer_id, {}).get("rate")
        summary = {
            "id": sample.buyer_id,
            "name": sample.buyer.name,
            "handle": profile.handle if profile else "",
            "platform": profile.platform if profile else "",
            "followers": facts.claimed,
            "followers_claimed": facts.claimed,
            "followers_verified": facts.verified,
            "followers_verified_at": facts.verified_at,
            "followers_verified_by": facts.verified_by,
            "followers_unverified": facts.claim_is_unverified,
            "fulfilment_rate": None if rate is None else f"{rate:.4f}",
        }
        return BuyerSummarySerializer(summary).data


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ShipSerializer(serializers.Serializer):
    carrier = serializers.CharField(max_length=60)
    tracking_number = serializers.CharField(max_length=60)


class BulkApproveSerializer(serializers.Serializer):
    ids = serializers.ListField(child=IdField(), min_length=1, max_length=500)


class BulkApproveResultSerializer(serializers.Serializer):
    approved = serializers.ListField(child=serializers.IntegerField())
    refused = serializers.DictField(
        child=serializers.CharField(), help_text="Why each id was not approved, by id."
    )


class ShipImportResultSerializer(serializers.Serializer):
    shipped = serializers.ListField(child=serializers.IntegerField())


class SampleRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedGenericViewSet
):
    """Buyers ask; the enrollment's merchant (and provider) approve or reject; merchants ship."""

    queryset = SampleRequest.objects.all()
    serializer_class = SampleRequestSerializer
    filterset_fields = ["status", "enrollment", "livestream"]
    ordering_fields = ["created_at", "approve_by", "ship_by", "fulfil_by"]
    write_roles = None

    def base_queryset(self):
        return SampleRequest.objects.select_related(
            "buyer__buyer_profile__follower_verification",
            "enrollment__product",
            "enrollment__campaign",
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["fulfilment"] = getattr(self, "_fulfilment", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._fulfilment = fulfilment_counts(buyer_ids=list({s.buyer_id for s in page}))
        return page

    def get_object(self):
        sample = super().get_object()
        self._fulfilment = fulfilment_counts(buyer_ids=[sample.buyer_id])
        return sample

    def create(self, request, *args, **kwargs):
        service.ensure_buyer(request.user)  # 403 before the body is judged
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sample = service.request_sample(
            by=request.user,
            enrollment_id=serializer.validated_data["enrollment_id"],
            livestream_id=serializer.validated_data.get("livestream_id"),
        )
        return Response(self.get_serializer(sample).data, status=status.HTTP_201_CREATED)

    def act(self, function, **kwargs):
        sample = self.get_object()
        sample = function(request_id=sample.pk, by=self.request.user, **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=sample.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.act(service.approve_sample_request)

    @extend_schema(request=RejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.act(service.reject_sample_request, reason=data.validated_data.get("reason", ""))

    @extend_schema(request=ShipSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        data = ShipSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.act(service.ship_sample_request, **data.validated_data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        return self.act(service.receive_sample_request)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        return self.act(service.fulfil_sample_request)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.act(service.withdraw_sample_request)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self.act(service.extend_sample_request)

    @extend_schema(request=BulkApproveSerializer, responses={200: BulkApproveResultSerializer})
    @action(detail=False, methods=["post"], url_path="bulk-approve")
    def bulk_approve(self, request):
        data = BulkApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = bulk_approve_sample_requests(
            request_ids=data.validated_data["ids"], by=request.user
        )
        refused = {str(pk): message for pk, message in outcome.refused.items()}
        return Response({"approved": outcome.done, "refused": refused})

    @extend_schema(
        request={"text/csv": {"type": "string", "format": "binary"}},
        responses={200: ShipImportResultSerializer},
        description="CSV with columns sample_request, carrier, tracking_number; all rows or none.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="ship-import",
        parser_classes=[CsvBodyParser, MultiPartParser],
    )
    def ship_import(self, request):
        content, _name = uploaded_csv_bytes(request.data)
        return Response({"shipped": ship_samples_from_csv(by=request.user, content=content)})
