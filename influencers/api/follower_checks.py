"""`POST /api/v1/buyers/{id}/verify-followers/`: a roster provider or an operator verifies."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import OPERATOR, Role
from accounts.permissions import ActiveOrganisationForWrites, HasRole
from influencers.models import FollowerVerification
from influencers.selectors.follower_checks import verifiable_buyers
from influencers.services.follower_checks import MAX_FOLLOWERS, NOTE_LENGTH, verify_followers


class VerifyFollowersSerializer(serializers.Serializer):
    followers = serializers.IntegerField(min_value=0, max_value=MAX_FOLLOWERS)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_LENGTH, default=""
    )
    evidence_url = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="An http(s) address of what was checked; a note, this, or both is required.",
    )


class FollowerVerificationSerializer(serializers.ModelSerializer):
    buyer = serializers.IntegerField(source="buyer_id")
    verified_by = serializers.CharField(
        source="verifier_role", help_text="The verifier's role, provider or operator."
    )

    class Meta:
        model = FollowerVerification
        fields = [
            "id", "buyer", "followers", "followers_claimed", "note", "evidence_url",
            "verified_at", "verified_by",
        ]  # fmt: skip
        read_only_fields = fields


class VerifyFollowersView(APIView):
    """Operators verify any buyer; providers the buyers on their active roster (others: 404)."""

    permission_classes = [IsAuthenticated, HasRole, ActiveOrganisationForWrites]
    allowed_roles = (Role.PROVIDER, OPERATOR)

    @extend_schema(
        request=VerifyFollowersSerializer, responses={201: FollowerVerificationSerializer}
    )
    def post(self, request, pk: int):
        buyer = get_object_or_404(verifiable_buyers(user=request.user), pk=pk)
        data = VerifyFollowersSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verification = verify_followers(by=request.user, buyer_id=buyer.pk, **data.validated_data)
        return Response(
            FollowerVerificationSerializer(verification).data, status=status.HTTP_201_CREATED
        )
