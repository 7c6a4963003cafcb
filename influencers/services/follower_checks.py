"""Verifying a buyer's follower count: the only way a figure that rules count comes to exist.

A buyer's own ``followers`` is a claim. A service provider with the buyer on its active roster,
or a platform operator, records what it checked, with a note or an evidence URL; the latest such
record is the verified figure that the sample rules (min_followers, auto-approval) read.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import OPERATOR, Organisation, Role, User
from accounts.services import ensure_can_write
from core.errors import DomainError, Forbidden, ensure
from core.notifications import notify
from influencers.locks import lock_buyer_profile
from influencers.models import FollowerVerification
from influencers.selectors.follower_checks import verifiable_buyers
from influencers.selectors.profiles import profile_of

MAX_FOLLOWERS = 2_147_483_647  # the column's upper bound (PositiveIntegerField)
NOTE_LENGTH = 500
URL_LENGTH = 500
http_url = URLValidator(schemes=["http", "https"])


def check_evidence(*, note: str, evidence_url: str) -> tuple[str, str]:
    """The note and evidence URL, cleaned: at least one of them, the URL http(s) only."""
    note, evidence_url = (note or "").strip(), (evidence_url or "").strip()
    ensure(
        bool(note or evidence_url),
        DomainError(
            _("Say how you checked the figure: a note, an evidence URL, or both."), field="note"
        ),
    )
    ensure(
        len(note) <= NOTE_LENGTH,
        DomainError(_("Keep the note under 500 characters."), field="note"),
    )
    if evidence_url:
        ensure(
            len(evidence_url) <= URL_LENGTH and is_http_url(evidence_url),
            DomainError(
                _("The evidence URL must be a web address starting with http:// or https://."),
                field="evidence_url",
            ),
        )
    return note, evidence_url


def is_http_url(value: str) -> bool:
    try:
        http_url(value)
    except ValidationError:
        return False
    # URLValidator lets user:password@ through; evidence is a page anyone may open.
    return not urlsplit(value).username


def check_followers(followers: object) -> int:
    ensure(
        isinstance(followers, int) and not isinstance(followers, bool),
        DomainError(_("Give the follower count as a whole number."), field="followers"),
    )
    ensure(
        0 <= followers <= MAX_FOLLOWERS,
        DomainError(_("The follower count is out of range."), field="followers"),
    )
    return followers


def verify_followers(
    *, by: User, buyer_id: int, followers: int, note: str = "", evidence_url: str = ""
) -> FollowerVerification:
    """Record a verified follower count for a buyer; it becomes the figure rules count.

    Only an operator, or a service provider with the buyer on its active roster, may do it.
    """
    followers = check_followers(followers)
    note, evidence_url = check_evidence(note=note, evidence_url=evidence_url)
    role = verifier_role(by)
    with transaction.atomic():
        buyer = verifiable_buyers(user=by).filter(pk=buyer_id).first()
        ensure(buyer is not None, Forbidden(_("You cannot verify this buyer's followers.")))
        profile = lock_buyer_profile(profile_of(buyer=buyer).pk)
        verification = FollowerVerification.objects.create(
            buyer=buyer,
            followers=followers,
            followers_claimed=profile.followers,
            verified_at=timezone.now(),
            verified_by=by,
            verifier_role=role,
            verifier_organisation=by.organisation if role == Role.PROVIDER else None,
            note=note,
            evidence_url=evidence_url,
        )
        profile.follower_verification = verification
        profile.save(update_fields=["follower_verification"])
        tell_buyer(buyer=buyer, verification=verification)
    return verification


def verifier_role(user: User) -> str:
    if user.role == OPERATOR:
        return FollowerVerification.VerifierRole.OPERATOR
    ensure(
        user.role == Role.PROVIDER,
        Forbidden(_("Only service providers and operators verify follower counts.")),
    )
    ensure_can_write(user)
    return FollowerVerification.VerifierRole.PROVIDER


def tell_buyer(*, buyer: Organisation, verification: FollowerVerification) -> None:
    if verification.verifier_role == FollowerVerification.VerifierRole.OPERATOR:
        message = _("The platform operator verified your follower count: %(followers)s.")
    else:
        message = _("A service provider verified your follower count: %(followers)s.")
    notify(
        organisation=buyer,
        kind="followers.verified",
        message=message % {"followers": number_format(verification.followers, force_grouping=True)},
        link="/profile/",
    )
