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
