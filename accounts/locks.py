"""Row locks on accounts' tables. Every transaction takes its locks in the one order of
docs/architecture.md "Lock order"; a helper only locks (callers check rules and rights)."""

from accounts.models import Invitation, Organisation


def lock_invitation(invitation_id: int, *, organisation_id: int | None) -> Invitation:
    """The organisation's invitation, locked (another organisation's answers DoesNotExist)."""
    return Invitation.objects.select_for_update(no_key=True).get(
        pk=invitation_id, organisation_id=organisation_id
    )


def lock_organisation(organisation_id: int, *, role: str | None = None) -> Organisation:
    """The organisation (of ``role``, when given), locked: it serialises one organisation's
    writes (a buyer's sample requests, a merchant's storefront domains, a provider's proposals
    assortment). FOR NO KEY UPDATE, so the rows that others insert pointing at it (notices,
    requests) are not held back at their commit."""
    organisations = Organisation.objects.select_for_update(no_key=True)
    if role is not None:
        organisations = organisations.filter(role=role)
    return organisations.get(pk=organisation_id)
