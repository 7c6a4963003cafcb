from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import ActiveOrganisationForWrites, HasRole
from influencers.models import BuyerProfile, FollowerVerification
from influencers.selectors.profiles import fulfilment_rate, profile_of, roster_providers
from influencers.services.profiles import update_profile
from merchants.models import Category


class BuyerProfileSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    name = serializers.CharField(source="organisation.name", read_only=True)
    categories = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Category.objects.all(), required=False
    )
    providers = serializers.SerializerMethodField()
    fulfilment_rate = serializers.SerializerMethodField()
    # Read only: the buyer's ``followers`` is its claim; only a verifier sets these.
    followers_verified = serializers.IntegerField(read_only=True)
    followers_verified_at = serializers.DateTimeField(
        source="follower_verification.verified_at", read_only=True, allow_null=True, default=None
    )
    followers_verified_by = serializers.ChoiceField(
        choices=FollowerVerification.VerifierRole.choices,
        source="follower_verification.verifier_role",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The verifier's role, provider or operator; null before any verification.",
    )

    class Meta:
        model = BuyerProfile
        fields = [
            "organisation", "name", "handle", "platform", "followers", "followers_verified",
            "followers_verified_at", "followers_verified_by", "categories",
            "price_band_min", "price_band_max", "audience_notes",
            "typical_units_per_livestream", "providers", "fulfilment_rate",
        ]  # fmt: skip
        extra_kwargs = {"price_band_min": {"min_value": 0}, "price_band_max": {"min_value": 0}}

    def get_providers(self, profile) -> list[dict]:
        return [
            {"id": org.pk, "name": org.name} for org in roster_providers(buyer=profile.organisation)
        ]

    def get_fulfilment_rate(self, profile) -> str | None:
        rate = fulfilment_rate(buyer=profile.organisation)
        return None if rate is None else f"{rate:.4f}"


class ProfileView(APIView):
    """The calling buyer's own profile."""

    permission_classes = [IsAuthenticated, HasRole, ActiveOrganisationForWrites]
    allowed_roles = (Role.BUYER,)

    @extend_schema(responses=BuyerProfileSerializer)
    def get(self, request):
        return Response(BuyerProfileSerializer(profile_of(buyer=request.user.organisation)).data)

    @extend_schema(request=BuyerProfileSerializer, responses=BuyerProfileSerializer)
    def patch(self, request):
        profile = profile_of(buyer=request.user.organisation)
        serializer = BuyerProfileSerializer(profile, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        profile = update_profile(by=request.user, categories=data.pop("categories", None), **data)
        return Response(BuyerProfileSerializer(profile).data)
