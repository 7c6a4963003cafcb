"""State changes of users, organisations and invitations."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Invitation, Organisation, Role, User
from core.errors import Conflict, DomainError, Forbidden, ensure

INVITATION_VALIDITY = timedelta(days=14)


def initial_status(role: str) -> str:
    # Providers broker money between other organisations, so an operator vets them first.
    return Organisation.Status.PENDING if role == Role.PROVIDER else Organisation.Status.ACTIVE


def check_organisation_name(*, role: str, name: str) -> str:
    name = (name or "").strip()
    ensure(bool(name), DomainError(_("Give your organisation a name."), field="organisation"))
    ensure(role in Role.values, DomainError(_("Choose merchant, buyer or provider."), field="role"))
    taken = Organisation.objects.filter(role=role, name__iexact=name).exists()
    ensure(
        not taken,
        DomainError(_("An organisation of this role already has that name."), field="organisation"),
    )
    return name


def open_invitation(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("organisation").filter(token=token or "").first()
    usable = (
        invitation is not None
        and invitation.status == Invitation.Status.OPEN
        and invitation.expires_at > timezone.now()
    )
    ensure(usable, DomainError(_("This invitation is not valid any more."), field="invitation"))
    return invitation


def register_member(
    *,
    user: User,
    role: str | None = None,
    organisation_name: str | None = None,
    invitation_token: str | None = None,
    record_email: bool = False,
) -> User:
    """Save a new user into a new organisation of its role, or into the one that invited it.

    A new provider organisation starts pending; merchants and buyers start active.
    """
    with transaction.atomic():
        if invitation_token:
            invitation = open_invitation(invitation_token)
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
            ensure(
                invitation.status == Invitation.Status.OPEN,
                Conflict(_("This invitation was already used.")),
            )
            user.organisation = invitation.organisation
        else:
            name = check_organisation_name(role=role or "", name=organisation_name or "")
            try:
                with transaction.atomic():
                    user.organisation = Organisation.objects.create(
                        name=name, role=role, status=initial_status(role)
                    )
            except IntegrityError as exc:  # a concurrent sign-up took the name first
                raise DomainError(
                    _("An organisation of this role already has that name."), field="organisation"
                ) from exc
        user.save()
        if invitation_token:
            invitation.status = Invitation.Status.ACCEPTED
            invitation.accepted_by = user
            invitation.save(update_fields=["status", "accepted_by"])
        if record_email and user.email:
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    return user


def approve_provider(*, organisation_id: int, by: User) -> Organisation:
    """An operator lets a pending service provider start working."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(
            pk=organisation_id, role=Role.PROVIDER
        )
        ensure(
            organisation.status == Organisation.Status.PENDING,
            Conflict(_("Only a pending provider can be approved.")),
        )
        organisation.status = Organisation.Status.ACTIVE
        organisation.approved_at = timezone.now()
        organisation.approved_by = by
        organisation.save(update_fields=["status", "approved_at", "approved_by"])
        recipients = list(organisation.members.exclude(email="").values_list("email", flat=True))
        transaction.on_commit(lambda: notify_provider_approved(organisation, recipients))
    return organisation


def notify_provider_approved(organisation: Organisation, recipients: list[str]) -> None:
    if recipients:
        send_mail(
            _("Your service provider account is approved"),
            _("%(name)s can now run campaigns and invite buyers.") % {"name": organisation.name},
            None,
            recipients,
            fail_silently=True,
        )


def ensure_can_write(user: User) -> None:
    organisation = user.organisation
    ensure(organisation is not None, Forbidden(_("Only members of an organisation can do this.")))
    ensure(
        organisation.is_active,
        Forbidden(_("Your organisation is pending approval by an operator.")),
    )


def invite_member(*, by: User, email: str) -> Invitation:
    """A member of an active organisation invites a teammate by email."""
    ensure_can_write(by)
    email = email.strip().lower()
    ensure(
        not User.objects.filter(email__iexact=email).exists(),
        DomainError(_("Someone already signed up with this email."), field="email"),
    )
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organisation=by.organisation,
                email=email,
                invited_by=by,
                expires_at=timezone.now() + INVITATION_VALIDITY,
            )
    except IntegrityError as exc:
        raise DomainError(_("This email already has an open invitation."), field="email") from exc
    transaction.on_commit(lambda: send_invitation(invitation))
    return invitation


def send_invitation(invitation: Invitation) -> None:
    send_mail(
        _("You are invited to join %(name)s") % {"name": invitation.organisation.name},
        _("Sign up with this invitation code: %(token)s") % {"token": invitation.token},
        None,
        [invitation.email],
        fail_silently=True,
    )


def revoke_invitation(*, invitation_id: int, by: User) -> Invitation:
    """An open invitation can be withdrawn; an accepted or expired one cannot."""
    ensure_can_write(by)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(
            pk=invitation_id, organisation=by.organisation
        )
        ensure(
            invitation.status == Invitation.Status.OPEN,
            Conflict(_("Only an open invitation can be revoked.")),
        )
        invitation.status = Invitation.Status.REVOKED
        invitation.save(update_fields=["status"])
    return invitation


def expire_stale_invitations() -> int:
    """Close open invitations past their date; a second run finds nothing to do."""
    return Invitation.objects.filter(
        status=Invitation.Status.OPEN, expires_at__lte=timezone.now()
    ).update(status=Invitation.Status.EXPIRED)
