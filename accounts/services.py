"""State changes of users, organisations and invitations."""

import math
from datetime import timedelta

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token

from accounts import selectors
from accounts.locks import lock_invitation, lock_organisation
from accounts.models import Invitation, Organisation, Role, User
from core.errors import Conflict, DomainError, Forbidden, ensure
from core.ratelimit import rate_setting, seconds_over

INVITATION_VALIDITY = timedelta(days=14)


class EmailAlreadyRegistered(DomainError):
    """A sign-up with an address that already has an account. Callers answer "we sent a
    message to this address if it can join" (its message) and mail the owner
    (``tell_owner_about_sign_up``), never "this address is registered"."""

    def __init__(self) -> None:
        super().__init__(_("We sent a message to this address if it can join."), field="email")


class InvitationLimitReached(DomainError):
    """The organisation sent ``INVITATION_RATE_LIMIT`` invitations. Answers 429; the API adds
    Retry-After from ``retry_after`` (seconds)."""

    status_code = 429

    def __init__(self, *, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        message = ngettext(
            "Your organisation has sent too many invitations. Try again in %(minutes)d minute.",
            "Your organisation has sent too many invitations. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        super().__init__(message, field="email")
        self.retry_after = retry_after


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


def open_invitation(token: str, *, email: str | None = None) -> Invitation:
    """The open invitation of ``token``; with ``email``, only if it was sent to that address
    (in any case): a code passed on to someone else does not let them in."""
    invitation = Invitation.objects.select_related("organisation").filter(token=token or "").first()
    usable = (
        invitation is not None
        and invitation.status == Invitation.Status.OPEN
        and invitation.expires_at > timezone.now()
    )
    ensure(usable, DomainError(_("This invitation is not valid any more."), field="invitation"))
    if email is not None:
        ensure(
            invitation.email.strip().lower() == email.strip().lower(),
            DomainError(
                _("Sign up with the email address this invitation was sent to."),
                field="invitation",
            ),
        )
    return invitation


def lock_open_invitation(*, token: str, email: str) -> Invitation:
    """The invitation of ``token`` for ``email``, locked and still open (one sign-up uses it)."""
    invitation = open_invitation(token, email=email)
    invitation = lock_invitation(invitation.pk, organisation_id=invitation.organisation_id)
    ensure(
        invitation.status == Invitation.Status.OPEN,
        Conflict(_("This invitation was already used.")),
    )
    return invitation


def create_organisation(*, name: str, role: str) -> Organisation:
    """A new organisation of ``role``; a name taken meanwhile is the same 400 as a checked one."""
    try:
        with transaction.atomic():
            return Organisation.objects.create(name=name, role=role, status=initial_status(role))
    except IntegrityError as exc:  # a concurrent sign-up took the name first
        raise DomainError(
            _("An organisation of this role already has that name."), field="organisation"
        ) from exc


def register_member(
    *,
    user: User,
    role: str | None = None,
    organisation_name: str | None = None,
    invitation_token: str | None = None,
    record_email: bool = False,
) -> User:
    """Save a new user into a new organisation of its role, or into the one that invited it.

    A new provider organisation starts pending; merchants and buyers start active. An
    invitation admits only the address it was sent to. An address that already has an
    account raises ``EmailAlreadyRegistered``, after every other check so that it gets the
    same field errors as a new address.
    """
    with transaction.atomic():
        invitation = None
        if invitation_token:
            invitation = lock_open_invitation(token=invitation_token, email=user.email)
        else:
            name = check_organisation_name(role=role or "", name=organisation_name or "")
        if selectors.account_with_email(email=user.email) is not None:
            raise EmailAlreadyRegistered()
        if invitation is not None:
            user.organisation = invitation.organisation
        else:
            user.organisation = create_organisation(name=name, role=role)
        user.save()
        if invitation is not None:
            invitation.status = Invitation.Status.ACCEPTED
            invitation.accepted_by = user
            invitation.save(update_fields=["status", "accepted_by"])
        if record_email and user.email:
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    return user


def tell_owner_about_sign_up(*, email: str) -> None:
    """Someone signed up with a registered address: its owner gets allauth's "an account
    already exists" mail (with the password reset link); whoever tried sees only "we sent a
    message to this address if it can join"."""
    get_adapter().send_account_already_exists_mail(email)


def change_password(*, user: User, password: str) -> User:
    """A new password also ends the API token issued under the old one: whoever held it (often
    the reason for the change) is locked out at once; ``POST /auth/token/`` with the new
    password issues a new token."""
    with transaction.atomic():
        user.set_password(password)
        user.save()
        revoke_api_token(user=user)
    return user


def revoke_api_token(*, user: User) -> None:
    """The user's API token stops working; the next ``POST /auth/token/`` issues a new one."""
    Token.objects.filter(user=user).delete()


def approve_provider(*, organisation_id: int, by: User) -> Organisation:
    """An operator lets a pending service provider start working."""
    with transaction.atomic():
        organisation = lock_organisation(organisation_id, role=Role.PROVIDER)
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


def check_invitation_rate(*, organisation: Organisation) -> None:
    """At most ``INVITATION_RATE_LIMIT`` invitations per organisation, every attempt counted: a
    member cannot turn the invitation mail into a way to mail arbitrary addresses."""
    wait = seconds_over(
        scope="invitation",
        ident=str(organisation.pk),
        rate=rate_setting("INVITATION_RATE_LIMIT"),
    )
    if wait:
        raise InvitationLimitReached(retry_after=wait)


def invite_member(*, by: User, email: str) -> Invitation:
    """A member of an active organisation invites a teammate by email, within the
    organisation's invitation limit.

    The answer is the same whether or not the address already has an account, so inviting
    tells the inviter nothing about who is registered; only the mail differs
    (``send_invitation``)."""
    ensure_can_write(by)
    check_invitation_rate(organisation=by.organisation)
    email = email.strip().lower()
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
    """A new address gets the code; an address with an account cannot use it (an account
    belongs to one organisation), so its owner is told who invited them and what to do."""
    organisation = invitation.organisation
    owner = selectors.account_with_email(email=invitation.email)
    if owner is None:
        body = _("Sign up with this invitation code: %(token)s") % {"token": invitation.token}
    elif owner.organisation_id == organisation.pk:
        body = _(
            "Someone at %(name)s invited this address to join them. Your account already "
            "belongs to %(name)s: there is nothing to do."
        ) % {"name": organisation.name}
    else:
        body = _(
            "Someone at %(name)s invited this address to join them. This address already has "
            "an account here, and an account belongs to one organisation only, so it cannot "
            "join %(name)s. To work with them, ask them to invite another address of yours and "
            "sign up with that one. If you did not expect this invitation, ignore this message."
        ) % {"name": organisation.name}
    send_mail(
        _("You are invited to join %(name)s") % {"name": organisation.name},
        body,
        None,
        [invitation.email],
        fail_silently=True,
    )


def revoke_invitation(*, invitation_id: int, by: User) -> Invitation:
    """An open invitation can be withdrawn; an accepted or expired one cannot."""
    ensure_can_write(by)
    with transaction.atomic():
        invitation = lock_invitation(invitation_id, organisation_id=by.organisation_id)
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
