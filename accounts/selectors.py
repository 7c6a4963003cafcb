from allauth.account.models import EmailAddress
from django.db.models import QuerySet

from accounts.models import Invitation, Organisation, Role, User
from accounts.scoping import visible_to


def members_of(*, organisation: Organisation | None) -> QuerySet[User]:
    return visible_to(User.objects.select_related("organisation"), organisation).order_by(
        "username"
    )


def invitations_of(*, organisation: Organisation | None) -> QuerySet[Invitation]:
    return visible_to(Invitation.objects.select_related("organisation", "invited_by"), organisation)


def providers_for_review(*, status: str | None = None) -> QuerySet[Organisation]:
    providers = Organisation.objects.filter(role=Role.PROVIDER).order_by("status", "created_at")
    return providers.filter(status=status) if status else providers


def account_with_email(*, email: str) -> User | None:
    """The account that uses ``email``, in any case: as its own address or as one that allauth
    recorded for it; None for an empty address."""
    email = (email or "").strip()
    if not email:
        return None
    user = User.objects.select_related("organisation").filter(email__iexact=email).first()
    if user is None:
        address = (
            EmailAddress.objects.select_related("user__organisation")
            .filter(email__iexact=email)
            .first()
        )
        user = address.user if address is not None else None
    return user
