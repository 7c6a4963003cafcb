"""Second-level service providers: re-offering an approved enrollment through another campaign.

The first-level provider P1 of an approved enrollment re-offers it through
another provider P2's campaign. The re-offer is a pending enrollment with
``parent`` = the first, the same product, commission and campaign price; its
``service_fee_rate`` r2 is P2's rate, at most 90 % of the first's and paid out
of the first's fee. P2 reviews it like any enrollment.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import ensure_can_write
from core.errors import Conflict, DomainError, FieldErrors, Forbidden, ensure
from matchmaking.locks import lock_enrollment
from matchmaking.models import Campaign, Enrollment
from matchmaking.rates import check_second_level_rate
from matchmaking.services.enrollments import (
    Terms,
    check_enrollment_terms,
    save_enrollment,
    status_label,
)


def ensure_reoffer_allowed(first: Enrollment, by: User) -> None:
    """Only the first level's provider, only a first level, only once approved."""
    ensure(
        first.campaign.provider_id == by.organisation_id,
        Forbidden(_("Only the provider whose campaign approved it can re-offer an enrollment.")),
    )
    ensure(
        first.parent_id is None,
        DomainError(_("A re-offer cannot be re-offered again: there are only two levels.")),
    )
    ensure(
        first.status == Enrollment.Status.APPROVED,
        Conflict(
            _("Only an approved enrollment can be re-offered; this one is %s.")
            % status_label(first)
        ),
    )


def reoffer_terms(first: Enrollment, *, service_fee_rate: Decimal, promotion_stock: int) -> Terms:
    """The first level's terms, with the second level's rate and (at most) its stock."""
    return Terms(
        commission_rate=first.commission_rate,
        service_fee_rate=service_fee_rate,
        campaign_price=first.campaign_price,
        promotion_stock=promotion_stock,
        min_followers=first.min_followers,
        auto_approve_samples=first.auto_approve_samples,
    )


def check_reoffer(
    *, first: Enrollment, campaign: Campaign | None, by: User, terms: Terms
) -> FieldErrors:
    """Another provider's campaign, r2 <= 90 % of fee1, stock <= the first's; then P2's rules."""
    errors = FieldErrors()
    if campaign is not None and campaign.provider_id == by.organisation_id:
        errors.add("campaign", _("Re-offer through another provider's campaign, not your own."))
    check_second_level_rate(first=first, rate=terms.service_fee_rate, errors=errors)
    errors.check(
        terms.promotion_stock <= first.promotion_stock,
        "promotion_stock",
        _("A re-offer's promotion stock can be at most the first level's (%d).")
        % first.promotion_stock,
    )
    if "campaign" not in errors.errors:
        check_enrollment_terms(campaign=campaign, product=first.product, terms=terms, errors=errors)
    return errors


def reoffer_enrollment(
    *,
    enrollment_id: int,
    by: User,
    campaign_id: int,
    service_fee_rate: Decimal,
    promotion_stock: int | None = None,
) -> Enrollment:
    """P1 re-offers its approved first-level enrollment through P2's open campaign.

    Rules: only the first level's provider, only an approved first-level
    enrollment, another provider's campaign open for registration, r2 <= 90 %
    of the first's fee and >= P2's campaign fee, promotion stock <= the first's,
    and every enrollment rule of P2's campaign (commission, category, rating).
    The first level stays locked, so it cannot be terminated meanwhile.
    """
    ensure_can_write(by)
    ensure(by.organisation.role == Role.PROVIDER, Forbidden(_("Only service providers re-offer.")))
    with transaction.atomic():
        first = lock_enrollment(enrollment_id)
        ensure_reoffer_allowed(first, by)
        stock = first.promotion_stock if promotion_stock is None else promotion_stock
        terms = reoffer_terms(first, service_fee_rate=service_fee_rate, promotion_stock=stock)
        campaign = Campaign.objects.prefetch_related("categories").filter(pk=campaign_id).first()
        check_reoffer(first=first, campaign=campaign, by=by, terms=terms).raise_if_any()
        second = Enrollment(
            campaign=campaign, product=first.product, parent=first, created_by=by, **vars(terms)
        )
        return save_enrollment(second)


def provider_rates(enrollment: Enrollment) -> list[tuple[int, Decimal]]:
    """Who earns the service fee of a sale through ``enrollment``, as [(provider org id, rate)].

    A first-level enrollment: [(its provider, service_fee_rate)].
    A second-level one: [(P2, r2), (P1, fee1 - r2)]; the merchant pays fee1 in
    total. Rounding to the fen is done by difference so the parts always add
    up to round(A * fee1): P2 gets round(A * r2) and P1 gets
    round(A * fee1) - round(A * r2), not round(A * (fee1 - r2)). No money
    maths here; commissions.splits does it.
    """
    if enrollment.parent_id is None:
        return [(enrollment.campaign.provider_id, enrollment.service_fee_rate)]
    parent = enrollment.parent
    return [
        (enrollment.campaign.provider_id, enrollment.service_fee_rate),
        (parent.campaign.provider_id, parent.service_fee_rate - enrollment.service_fee_rate),
    ]
