"""Match proposals: a provider proposes enrollments to a roster buyer; the buyer answers.

Rules: an active provider proposes approved enrollments of its own campaigns
to a buyer on its active roster, with a note; one open (proposed) proposal
per buyer and enrollment (a partial unique constraint), so a repeat is
skipped and reported. proposed -> accepted | declined (the buyer) and
proposed -> withdrawn (the provider); any other move is a conflict. An
accepted item joins the provider's assortment "Proposals for <buyer>",
shared with that buyer, in the same transaction. Row locks: matchmaking.locks
and accounts.locks, in the order of docs/architecture.md.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.locks import lock_organisation
from accounts.models import Organisation, Role, User
from core.errors import Conflict, DomainError, Forbidden, ensure
from core.notifications import notify
from matchmaking.locks import lock_active_membership, lock_assortment_named, lock_proposal
from matchmaking.models import (
    Assortment,
    AssortmentItem,
    Enrollment,
    MatchProposal,
)
from matchmaking.selectors.recommendations import recommend_for_buyer
from matchmaking.services.assortments import check_note, eligible_enrollment_ids

Status = MatchProposal.Status
MAX_AT_ONCE = 100
PROPOSALS_LINK = "/proposals/"


@dataclass
class ProposeResult:
    created: list[MatchProposal] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


def check_active_provider(user: User) -> Organisation:
    organisation = user.organisation
    ensure(
        organisation is not None and organisation.role == Role.PROVIDER,
        Forbidden(_("Only service providers can propose items.")),
    )
    ensure(
        organisation.is_active,
        Forbidden(_("Your organisation is pending approval by an operator.")),
    )
    return organisation


def check_enrollments(*, provider: Organisation, ids: Sequence[int]) -> list[int]:
    """Every id an approved enrollment of the provider's campaigns, once; 400 naming indexes."""
    ensure(
        0 < len(ids) <= MAX_AT_ONCE,
        DomainError(_("Choose between 1 and %d enrollments.") % MAX_AT_ONCE, field="enrollments"),
    )
    eligible = eligible_enrollment_ids(provider=provider, ids=ids)
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for index, pk in enumerate(ids):
        if pk not in eligible:
            errors[str(index)] = [_("Choose an approved enrollment of one of your campaigns.")]
        elif pk in seen:
            errors[str(index)] = [_("This enrollment is listed twice.")]
        seen.add(pk)
    if errors:
        raise DomainError(_("Some enrollments cannot be proposed."), detail={"enrollments": errors})
    return list(ids)


def proposal_scores(*, buyer: Organisation, enrollment_ids: list[int]) -> dict[int, Decimal]:
    """How well each proposed item fits the buyer, by the recommender, kept on the proposal."""
    candidates = Enrollment.objects.filter(pk__in=enrollment_ids)
    ranked = recommend_for_buyer(buyer=buyer, candidates=candidates, limit=None)
    return {recommendation.enrollment.pk: recommendation.score for recommendation in ranked}


def propose_enrollments(
    *, by: User, buyer_id: int, enrollment_ids: Sequence[int], note: str = ""
) -> ProposeResult:
    """An active provider proposes its approved enrollments to a buyer on its active roster.

    One proposal per enrollment; one already open for the buyer is skipped
    and reported, the others are created. The buyer is told once.
    """
    provider = check_active_provider(by)
    note = check_note(note)
    ids = check_enrollments(provider=provider, ids=list(enrollment_ids))
    result = ProposeResult()
    with transaction.atomic():
        membership = lock_active_membership(provider_id=provider.pk, buyer_id=buyer_id)
        ensure(
            membership is not None,
            DomainError(_("Choose a buyer on your active roster."), field="buyer"),
        )
        scores = proposal_scores(buyer=membership.buyer, enrollment_ids=ids)
        already = set(
            MatchProposal.objects.filter(
                buyer_id=buyer_id, enrollment_id__in=ids, status=Status.PROPOSED
            ).values_list("enrollment_id", flat=True)
        )
        for index, pk in enumerate(ids):
            if pk in already:
                reason = _("An open proposal of this enrollment to this buyer already exists.")
                result.skipped.append({"index": index, "enrollment": pk, "reason": reason})
                continue
            result.created.append(
                MatchProposal.objects.create(
                    provider=provider,
                    buyer_id=buyer_id,
                    enrollment_id=pk,
                    note=note,
                    proposed_by=by,
                    score=scores.get(pk),
                )
            )
        if result.created:
            message = _("%(provider)s proposes %(count)d item(s) to you.") % {
                "provider": provider.name,
                "count": len(result.created),
            }
            notify(
                organisation=membership.buyer, kind="proposal", message=message, link=PROPOSALS_LINK
            )
    return result


def check_buyer_answers(proposal: MatchProposal, by: User) -> None:
    ensure(
        proposal.buyer_id == by.organisation_id,
        Forbidden(_("Only the buyer a proposal was made to can answer it.")),
    )
    ensure(
        proposal.status == Status.PROPOSED,
        Conflict(_("This proposal is already %s.") % proposal.get_status_display().lower()),
    )


def proposals_assortment(*, proposal: MatchProposal) -> Assortment:
    """Inside the caller's transaction: the provider's "Proposals for <buyer>", locked. The
    provider's organisation row, locked first, serialises its get-or-create."""
    lock_organisation(proposal.provider_id)
    name = (_("Proposals for %s") % proposal.buyer.name)[:160]
    assortment = lock_assortment_named(provider_id=proposal.provider_id, name=name)
    if assortment is None:
        assortment = Assortment.objects.create(provider_id=proposal.provider_id, name=name)
    return assortment


def add_to_shared_assortment(*, proposal: MatchProposal) -> Assortment:
    """Appends the item (once) and shares the assortment with the buyer, still on the roster."""
    assortment = proposals_assortment(proposal=proposal)
    membership = lock_active_membership(
        provider_id=proposal.provider_id, buyer_id=proposal.buyer_id
    )
    ensure(
        membership is not None,
        Conflict(_("%s no longer has you on its roster.") % proposal.provider.name),
    )
    items = assortment.items.all()
    if not items.filter(enrollment_id=proposal.enrollment_id).exists():
        AssortmentItem.objects.create(
            assortment=assortment,
            enrollment_id=proposal.enrollment_id,
            position=items.count() + 1,
            note=proposal.note,
        )
    assortment.buyers.add(proposal.buyer_id)
    assortment.save(update_fields=["updated_at"])
    return assortment


def answer(proposal: MatchProposal, status: str) -> None:
    proposal.status = status
    proposal.answered_at = timezone.now()
    proposal.save(update_fields=["status", "answered_at"])


def accept_proposal(*, proposal_id: int, by: User) -> MatchProposal:
    """The buyer accepts an open proposal; the item joins an assortment shared with it."""
    with transaction.atomic():
        proposal = lock_proposal(proposal_id)
        check_buyer_answers(proposal, by)
        ensure(
            proposal.enrollment.status == Enrollment.Status.APPROVED,
            Conflict(_("This item is no longer offered in the campaign.")),
        )
        add_to_shared_assortment(proposal=proposal)
        answer(proposal, Status.ACCEPTED)
        message = _("%(buyer)s accepted your proposal of %(title)s.") % {
            "buyer": proposal.buyer.name,
            "title": proposal.enrollment.product.title,
        }
        notify(
            organisation=proposal.provider, kind="proposal", message=message, link=PROPOSALS_LINK
        )
    return proposal


def decline_proposal(*, proposal_id: int, by: User) -> MatchProposal:
    """The buyer declines an open proposal."""
    with transaction.atomic():
        proposal = lock_proposal(proposal_id)
        check_buyer_answers(proposal, by)
        answer(proposal, Status.DECLINED)
        message = _("%(buyer)s declined your proposal of %(title)s.") % {
            "buyer": proposal.buyer.name,
            "title": proposal.enrollment.product.title,
        }
        notify(
            organisation=proposal.provider, kind="proposal", message=message, link=PROPOSALS_LINK
        )
    return proposal


def withdraw_proposal(*, proposal_id: int, by: User) -> MatchProposal:
    """The proposing provider withdraws a proposal the buyer has not answered yet."""
    provider = check_active_provider(by)
    with transaction.atomic():
        proposal = lock_proposal(proposal_id)
        ensure(
            proposal.provider_id == provider.pk,
            Forbidden(_("Only the provider that made a proposal can withdraw it.")),
        )
        ensure(
            proposal.status == Status.PROPOSED,
            Conflict(_("Only an open proposal can be withdrawn.")),
        )
        answer(proposal, Status.WITHDRAWN)
        message = _("%(provider)s withdrew its proposal of %(title)s.") % {
            "provider": proposal.provider.name,
            "title": proposal.enrollment.product.title,
        }
        notify(organisation=proposal.buyer, kind="proposal", message=message, link=PROPOSALS_LINK)
    return proposal
