"""Change requests: after approval, a merchant asks for a new rate or a cancellation.

The campaign's service provider accepts or rejects; one left undecided for 7
days is accepted by a beat task. Row locks: matchmaking.locks, in the order of
docs/architecture.md.
"""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import visible_to
from accounts.services import ensure_can_write
from core.errors import Conflict, DomainError, FieldErrors, Forbidden, ensure
from core.notifications import notify
from matchmaking.locks import (
    lock_change_request,
    lock_enrollment,
    lock_enrollments_with_due_change_requests,
)
from matchmaking.models import (
    DECISION_PERIOD,
    ChangeRequest,
    Enrollment,
)
from matchmaking.rates import check_enrollment_rates, record_rate_change

AUTO_ACCEPT_BATCH = 100
CANCELLED_BY_MERCHANT = "cancelled by merchant"
LINK = "/change-requests/"


def check_new_rate(
    *, enrollment: Enrollment, commission_rate: Decimal | None, service_fee_rate: Decimal | None
) -> tuple[Decimal, Decimal]:
    """The rules of enrolling, plus: the new rate must differ from the current one."""
    ensure(
        commission_rate is not None,
        DomainError(_("Give the new commission rate."), field="commission_rate"),
    )
    if service_fee_rate is None:
        service_fee_rate = enrollment.service_fee_rate
    errors = FieldErrors()
    check_enrollment_rates(
        campaign=enrollment.campaign,
        commission_rate=commission_rate,
        service_fee_rate=service_fee_rate,
        errors=errors,
    )
    unchanged = (commission_rate, service_fee_rate) == (
        enrollment.commission_rate,
        enrollment.service_fee_rate,
    )
    errors.check(
        bool(errors.errors) or not unchanged,
        "commission_rate",
        _("The new rate is the same as the current one."),
    )
    errors.raise_if_any()
    return commission_rate, service_fee_rate


def request_change(
    *,
    enrollment_id: int,
    by: User,
    kind: str,
    commission_rate: Decimal | None = None,
    service_fee_rate: Decimal | None = None,
    note: str = "",
) -> ChangeRequest:
    """The product's merchant asks for a rate change or a cancellation of an approved
    enrollment; one request waits per enrollment at a time, and it cannot be withdrawn."""
    ensure_can_write(by)
    ensure(kind in ChangeRequest.Kind.values, DomainError(_("Choose a kind."), field="kind"))
    with transaction.atomic():
        visible = visible_to(Enrollment.objects.filter(pk=enrollment_id), by.organisation)
        ensure(visible.exists(), DomainError(_("Enrollment not found."), field="enrollment"))
        enrollment = lock_enrollment(enrollment_id)
        ensure(
            enrollment.product.merchant_id == by.organisation_id,
            Forbidden(_("Only the product's merchant can ask for a change.")),
        )
        ensure(
            enrollment.status == Enrollment.Status.APPROVED,
            Conflict(_("Only an approved enrollment can be changed.")),
        )
        ensure(
            not enrollment.change_requests.filter(status=ChangeRequest.Status.PENDING).exists(),
            Conflict(_("A change request is already waiting for this enrollment.")),
        )
        if kind == ChangeRequest.Kind.RATE_CHANGE:
            commission_rate, service_fee_rate = check_new_rate(
                enrollment=enrollment,
                commission_rate=commission_rate,
                service_fee_rate=service_fee_rate,
            )
        else:
            commission_rate = service_fee_rate = None
        try:
            with transaction.atomic():
                change_request = ChangeRequest.objects.create(
                    enrollment=enrollment,
                    kind=kind,
                    commission_rate=commission_rate,
                    service_fee_rate=service_fee_rate,
                    note=(note or "").strip(),
                    requested_by=by,
                )
        except IntegrityError as exc:  # the partial unique constraint, if a lock was bypassed
            raise Conflict(_("A change request is already waiting for this enrollment.")) from exc
        notify(
            organisation=enrollment.campaign.provider,
            kind="change_request.requested",
            message=_("%(merchant)s asks for a change to %(product)s in %(campaign)s.")
            % {
                "merchant": by.organisation.name,
                "product": enrollment.product.title,
                "campaign": enrollment.campaign.name,
            },
            link=LINK,
        )
    return change_request


def check_decider(
    *, enrollment: Enrollment, change_request: ChangeRequest, by: User | None
) -> None:
    if by is not None:
        ensure_can_write(by)
        ensure(
            by.organisation_id == enrollment.campaign.provider_id,
            Forbidden(_("Only the campaign's service provider decides change requests.")),
        )
    ensure(
        change_request.status == ChangeRequest.Status.PENDING,
        Conflict(_("This change request was already decided.")),
    )


def accept_change_request(
    *, change_request_id: int, by: User | None, auto_accepted: bool = False
) -> ChangeRequest:
    """The campaign's provider (or, after 7 days, the beat task with ``by=None``) accepts:
    a rate change becomes the new rate under the 30-day rule, a cancellation terminates
    the enrollment. Only a pending request of a still approved enrollment."""
    with transaction.atomic():
        enrollment, change_request = lock_change_request(change_request_id)
        check_decider(enrollment=enrollment, change_request=change_request, by=by)
        ensure(
            enrollment.status == Enrollment.Status.APPROVED,
            Conflict(_("The enrollment is no longer approved, so the change cannot be accepted.")),
        )
        now = timezone.now()
        if change_request.kind == ChangeRequest.Kind.RATE_CHANGE:
            record_rate_change(
                enrollment=enrollment,
                commission_rate=change_request.commission_rate,
                service_fee_rate=change_request.service_fee_rate,
                at=now,
                change_request=change_request,
            )
        else:
            enrollment.status = Enrollment.Status.TERMINATED
            enrollment.reason_text = CANCELLED_BY_MERCHANT
            enrollment.save(update_fields=["status", "reason_text", "updated_at"])
        change_request.auto_accepted = auto_accepted
        decide(change_request, status=ChangeRequest.Status.ACCEPTED, by=by, at=now)
        tell_merchant(change_request)
    return change_request


def reject_change_request(*, change_request_id: int, by: User, reason: str = "") -> ChangeRequest:
    """The campaign's provider rejects a pending request; the enrollment keeps its terms."""
    with transaction.atomic():
        enrollment, change_request = lock_change_request(change_request_id)
        check_decider(enrollment=enrollment, change_request=change_request, by=by)
        change_request.reason = (reason or "").strip()[:500]
        decide(change_request, status=ChangeRequest.Status.REJECTED, by=by, at=timezone.now())
        tell_merchant(change_request)
    return change_request


def decide(change_request: ChangeRequest, *, status: str, by: User | None, at: datetime) -> None:
    change_request.status = status
    change_request.decided_by = by
    change_request.decided_at = at
    change_request.save(
        update_fields=["status", "decided_by", "decided_at", "reason", "auto_accepted"]
    )


def tell_merchant(change_request: ChangeRequest) -> None:
    enrollment = change_request.enrollment
    values = {"kind": change_request.get_kind_display(), "product": enrollment.product.title}
    if change_request.status == ChangeRequest.Status.ACCEPTED:
        message = _("Your %(kind)s for %(product)s was accepted.") % values
    else:
        message = _("Your %(kind)s for %(product)s was rejected.") % values
        if change_request.reason:
            message = f"{message} {change_request.reason}"
    notify(
        organisation=enrollment.product.merchant,
        kind=f"change_request.{change_request.status}",
        message=message,
        link=LINK,
    )


def auto_accept_due_change_requests(*, batch_size: int = AUTO_ACCEPT_BATCH) -> int:
    """Accept every change request left undecided for 7 days; returns how many.

    Each batch claims enrollments with a due request under ``skip_locked``, so
    two workers split the work and a provider deciding right now is left alone;
    each request goes through ``accept_change_request``. A second run finds
    nothing pending and does nothing.
    """
    accepted = 0
    while True:
        accepted_before = accepted
        cutoff = timezone.now() - DECISION_PERIOD
        with transaction.atomic():
            claimed = lock_enrollments_with_due_change_requests(cutoff=cutoff, limit=batch_size)
            for _enrollment_id, change_request_id in claimed:
                try:
                    accept_change_request(
                        change_request_id=change_request_id, by=None, auto_accepted=True
                    )
                    accepted += 1
                except DomainError:  # decided meanwhile: nothing left to do
                    continue
        # A short batch means the queue is drained; a batch where nothing could be accepted
        # would come back unchanged, so stop rather than spin.
        if len(claimed) < batch_size or accepted == accepted_before:
            return accepted
