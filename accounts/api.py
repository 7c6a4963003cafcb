from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import Invitation, Organisation, User
from accounts.permissions import IsOperator
from accounts.serializers import (
    DetailSerializer,
    InvitationSerializer,
    MemberSerializer,
    MeSerializer,
    ProviderSerializer,
    RegisterSerializer,
    TokenSerializer,
)
from accounts.viewsets import ScopedGenericViewSet, ScopedReadOnlyViewSet
from core.api import AddressThrottle


class SignupThrottle(AddressThrottle):
    """``SIGNUP_RATE_LIMIT`` (30 an hour) new accounts per address; the portal's sign-up
    page applies the same setting through allauth."""

    scope = "signup"
    rate_name = "SIGNUP_RATE_LIMIT"


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [SignupThrottle]

    @extend_schema(
        request=RegisterSerializer,
        responses={
            201: TokenSerializer,
            202: OpenApiResponse(
                DetailSerializer,
                description="The address already has an account: nothing is created, and a "
                "message tells its owner how to sign in or reset the password.",
            ),
        },
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = User(username=data["username"], email=data["email"])
        user.set_password(data["password"])
        try:
            services.register_member(
                user=user,
                role=data.get("role"),
                organisation_name=data.get("organisation"),
                invitation_token=data.get("invitation"),
                record_email=True,
            )
        except services.EmailAlreadyRegistered as answer:
            services.tell_owner_about_sign_up(email=data["email"])
            return Response({"detail": answer.message}, status=status.HTTP_202_ACCEPTED)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, status=status.HTTP_201_CREATED)


class TokenThrottle(AnonRateThrottle):
    """Password guessing through the API meets the same wall as the portal's login limit."""

    scope = "token"
    rate = "10/min"


class TokenView(ObtainAuthToken):
    throttle_classes = [TokenThrottle]

    @extend_schema(responses={200: TokenSerializer})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class TokenRevokeView(APIView):
    """Revoke the token that authenticates this request (a script retired, a key leaked)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: None},
        description="The token of the `Authorization: Token <key>` header stops working at "
        "once; `POST /api/v1/auth/token/` issues a new one. Changing or resetting the "
        "password revokes it too.",
    )
    def post(self, request):
        services.revoke_api_token(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class MemberViewSet(ScopedReadOnlyViewSet):
    """The caller's teammates."""

    queryset = User.objects.select_related("organisation").order_by("username")
    serializer_class = MemberSerializer
    search_fields = ["username", "email"]


class InvitationViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ScopedGenericViewSet,
):
    """Invite teammates into the caller's organisation; revoke open invitations."""

    queryset = Invitation.objects.select_related("organisation", "invited_by")
    serializer_class = InvitationSerializer
    filterset_fields = ["status"]

    @extend_schema(
        responses={
            201: InvitationSerializer,
            429: OpenApiResponse(
                DetailSerializer, description="INVITATION_RATE_LIMIT reached; see Retry-After."
            ),
        },
        description="The same answer whether or not the address already has an account; "
        "only the mail differs.",
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        try:
            serializer.instance = services.invite_member(
                by=self.request.user, email=serializer.validated_data["email"]
            )
        except services.InvitationLimitReached as error:
            raise Throttled(
                wait=error.retry_after,
                detail=_("Your organisation has sent too many invitations."),
            ) from error

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = self.get_object()
        invitation = services.revoke_invitation(invitation_id=invitation.pk, by=request.user)
        return Response(self.get_serializer(invitation).data)


class ProviderViewSet(viewsets.ReadOnlyModelViewSet):
    """Operators review service providers and approve pending ones."""

    permission_classes = [IsAuthenticated, IsOperator]
    serializer_class = ProviderSerializer
    queryset = Organisation.objects.none()
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.providers_for_review()

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        organisation = get_object_or_404(self.get_queryset(), pk=pk)
        organisation = services.approve_provider(organisation_id=organisation.pk, by=request.user)
        return Response(self.get_serializer(organisation).data)
