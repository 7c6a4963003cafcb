"""State changes of enrollments (报名): enroll, approve, reject, terminate, withdraw.

States: pending -> approved | rejected (reason) | withdrawn; approved ->
terminated | expired (the campaign closed, see services.campaigns). The
merchant enrolls and withdraws; the campaign's provider reviews. Both see the
enrollment, so the wrong side's action is refused with 403, not hidden.
Row locks: matchmaking.locks and merchants.locks, in the order of docs/architecture.md.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import ensure_can_write
from core import generations
from core.bulk import BulkOutcome, act_on_each
from core.errors import Conflict, DomainError, FieldErrors, Forbidden, ensure
from matchmaking.locks import lock_enrollment, lock_enrollments
from matchmaking.models import (
    Campaign,
    Enrollment,
)
from matchmaking.rates import check_enrollment_rates, record_initial_rate
from matchmaking.selectors.campaigns import OPENED, effective_status, is_accepting_enrollments
from matchmaking.selectors.enrollments import enrollments_for
from merchants.locks import lock_product
from merchants.models import Category, MerchantProfile, Product

Status = Enrollment.Status
# What a provider may give when rejecting; "storefront changed" is the product's doing.
REJECTION_REASONS = [
    value for value in Enrollment.Reason.values if value != Enrollment.Reason.STOREFRONT_CHANGED
]
DEFAULT_MERCHANT_RATING = Decimal("4.80")
MAX_BULK_IDS = 200
MAX_CATEGORY_DEPTH = 10


@dataclass(frozen=True)
class Terms:
    commission_rate: Decimal
    service_fee_rate: Decimal
    campaign_price: Decimal
    promotion_stock: int
    min_followers: int = 0
    auto_approve_samples: bool = False


def status_label(enrollment: Enrollment) -> str:
    return Status(enrollment.status).label.lower()


def merchant_rating(merchant_id: int) -> Decimal:
    rating = (
        MerchantProfile.objects.filter(organisation_id=merchant_id)
        .values_list("rating", flat=True)
        .first()
    )
    return DEFAULT_MERCHANT_RATING if rating is None else Decimal(rating)


def category_fits(campaign: Campaign, category: Category) -> bool:
    """A product fits a campaign of its category or of any ancestor; no categories fits all."""
    allowed = {c.pk for c in campaign.categories.all()}
    node, depth = category, 0
    while allowed and node is not None and depth < MAX_CATEGORY_DEPTH:
        if node.pk in allowed:
            return True
        node, depth = node.parent, depth + 1
    return not allowed


def check_registration(campaign: Campaign | None, today: date, errors: FieldErrors) -> bool:
    if campaign is None or effective_status(campaign, today) not in OPENED:
        errors.add("campaign", _("Choose a campaign that is open for registration."))
        return False
    if not is_accepting_enrollments(campaign, today):
        errors.add(
            "campaign",
            _("Registration for this campaign runs from %(start)s to %(end)s.")
            % {"start": campaign.registration_start, "end": campaign.registration_end},
        )
        return False
    return True


def check_product(campaign: Campaign, product: Product, terms: Terms, errors: FieldErrors) -> None:
    errors.check(terms.promotion_stock >= 0, "promotion_stock", _("Stock cannot be negative."))
    errors.check(
        terms.promotion_stock <= product.stock,
        "promotion_stock",
        _("The promotion stock can be at most the product's stock (%d).") % product.stock,
    )
    errors.check(terms.campaign_price > 0, "campaign_price", _("Give a campaign price above 0."))
    errors.check(
        terms.campaign_price <= product.price,
        "campaign_price",
        _("The campaign price can be at most the product's price (%s).") % product.price,
    )
    errors.check(terms.min_followers >= 0, "min_followers", _("Followers cannot be negative."))
    errors.check(
        category_fits(campaign, product.category),
        "product",
        _("The product's category (%s) is not one of this campaign's categories.")
        % product.category.slug,
    )
    minimum = campaign.min_merchant_rating
    rating = merchant_rating(product.merchant_id)
    errors.check(
        minimum is None or rating >= minimum,
        "campaign",
        _("This campaign asks for a store rating of at least %(minimum)s; yours is %(rating)s.")
        % {"minimum": minimum, "rating": rating},
    )


def check_enrollment_terms(
    *, campaign: Campaign | None, product: Product, terms: Terms, errors: FieldErrors
) -> None:
    """Registration running, the campaign's rates, stock, price, category, rating, no duplicate."""
    if not check_registration(campaign, timezone.localdate(), errors):
        return
    check_enrollment_rates(
        campaign=campaign,
        commission_rate=terms.commission_rate,
        service_fee_rate=terms.service_fee_rate,
        errors=errors,
    )
    check_product(campaign, product, terms, errors)
    duplicate = Enrollment.objects.filter(
        campaign=campaign, product=product, status__in=(Status.PENDING, Status.APPROVED)
    ).exists()
    errors.check(not duplicate, "product", already_enrolled(product))


def already_enrolled(product: Product) -> str:
    return _("%s is already enrolled in this campaign (pending or approved).") % product.sku


def save_enrollment(enrollment: Enrollment) -> Enrollment:
    """The unique constraint settles a race between two identical enrollments."""
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as exc:
        raise DomainError(already_enrolled(enrollment.product), field="product") from exc
    return enrollment


def enroll_product(*, by: User, campaign_id: int, product_id: int, terms: Terms) -> Enrollment:
    """A merchant enrolls its own active product into a campaign open for registration."""
    ensure_can_write(by)
    ensure(by.organisation.role == Role.MERCHANT, Forbidden(_("Only merchants enroll products.")))
    errors = FieldErrors()
    product = (
        Product.objects.select_related("category__parent")
        .filter(pk=product_id, merchant=by.organisation)
        .first()
    )
    if product is None or product.status != Product.Status.ACTIVE:
        errors.add("product", _("Choose one of your active products."))
        errors.raise_if_any()
    campaign = Campaign.objects.prefetch_related("categories").filter(pk=campaign_id).first()
    check_enrollment_terms(campaign=campaign, product=product, terms=terms, errors=errors)
    errors.raise_if_any()
    return save_enrollment(
        Enrollment(campaign=campaign, product=product, created_by=by, **vars(terms))
    )


def ensure_reviewer(enrollment: Enrollment, by: User) -> None:
    ensure_can_write(by)
    ensure(
        by.organisation_id == enrollment.campaign.provider_id,
        Forbidden(_("Only the service provider running the campaign can review this enrollment.")),
    )


def ensure_status(enrollment: Enrollment, expected: str, message: str) -> None:
    ensure(enrollment.status == expected, Conflict(message % status_label(enrollment)))


def ensure_approvable(enrollment: Enrollment) -> None:
    """Its campaign not closed; a re-offer's first level still approved.

    The first level is read, not locked: terminating it locks it and then its
    re-offers (the lock order), so locking it here after the child could deadlock. A re-offer
    approved while its first level ends is ended by that termination's UPDATE,
    or expired by the beat's sweep.
    """
    ensure(
        effective_status(enrollment.campaign) != Campaign.Status.CLOSED,
        Conflict(_("The campaign is closed; its enrollments cannot be approved any more.")),
    )
    if enrollment.parent_id:
        parent = Enrollment.objects.only("status").get(pk=enrollment.parent_id)
        ensure(
            parent.status == Status.APPROVED,
            Conflict(
                _("The first-level enrollment is %s, so this re-offer cannot be approved.")
                % status_label(parent)
            ),
        )


def ensure_stock_covers(enrollment: Enrollment) -> Product:
    product = lock_product(enrollment.product_id)
    ensure(
        product.stock >= enrollment.promotion_stock,
        DomainError(
            _("The product has %(stock)d in stock, less than the promotion stock of %(want)d.")
            % {"stock": product.stock, "want": enrollment.promotion_stock},
            field="promotion_stock",
        ),
    )
    return product


def approve_enrollment(*, enrollment_id: int, by: User) -> Enrollment:
    """pending -> approved by the campaign's provider, if stock still covers the promotion.

    The approved rate is recorded in the same transaction (rate history).
    A campaign closed meanwhile is caught by the beat's sweep of approved
    enrollments in closed campaigns. The storefront address approved is where links lead
    (``reviewed_storefront_url``) until the next review.
    """
    with transaction.atomic():
        enrollment = lock_enrollment(enrollment_id)
        ensure_reviewer(enrollment, by)
        ensure_status(
            enrollment,
            Status.PENDING,
            _("Only a pending enrollment can be approved; this one is %s."),
        )
        ensure_approvable(enrollment)
        product = ensure_stock_covers(enrollment)
        now = timezone.now()
        enrollment.status = Status.APPROVED
        enrollment.reviewed_by, enrollment.reviewed_at = by, now
        enrollment.reviewed_storefront_url = product.storefront_url
        enrollment.reason, enrollment.reason_text, enrollment.promotion_ended_at = "", "", None
        enrollment.save(
            update_fields=["status", "reviewed_by", "reviewed_at", "reviewed_storefront_url",
                           "reason", "reason_text", "promotion_ended_at", "updated_at"]
        )  # fmt: skip
        if not enrollment.rates.exists():  # a re-review keeps the rate history it had
            record_initial_rate(enrollment=enrollment, at=now)
        generations.bump_on_commit(generations.PROMOTION)
    return enrollment


def reject_enrollment(
    *, enrollment_id: int, by: User, reason: str, reason_text: str = ""
) -> Enrollment:
    """pending -> rejected by the campaign's provider, with one of the listed reasons."""
    ensure(
        reason in REJECTION_REASONS,
        DomainError(_("Choose a reason for the rejection."), field="reason"),
    )
    with transaction.atomic():
        enrollment = lock_enrollment(enrollment_id)
        ensure_reviewer(enrollment, by)
        ensure_status(
            enrollment,
            Status.PENDING,
            _("Only a pending enrollment can be rejected; this one is %s."),
        )
        enrollment.status = Status.REJECTED
        enrollment.reason, enrollment.reason_text = reason, reason_text.strip()
        enrollment.reviewed_by, enrollment.reviewed_at = by, timezone.now()
        enrollment.save(
            update_fields=["status", "reason", "reason_text", "reviewed_by", "reviewed_at",
                           "updated_at"]
        )  # fmt: skip
    return enrollment


def end_second_levels(enrollment: Enrollment) -> None:
    """A re-offer cannot outlive its first level: pending ones withdrawn, approved terminated."""
    note = _("The first-level enrollment was terminated.")
    children = Enrollment.objects.filter(parent=enrollment)
    lock_enrollments(children.filter(status__in=(Status.PENDING, Status.APPROVED)).only("pk"))
    now = timezone.now()
    children.filter(status=Status.PENDING).update(
        status=Status.WITHDRAWN, reason_text=note, updated_at=now
    )
    children.filter(status=Status.APPROVED).update(
        status=Status.TERMINATED, reason_text=note, promotion_ended_at=now, updated_at=now
    )


def terminate_enrollment(*, enrollment_id: int, by: User, reason_text: str = "") -> Enrollment:
    """approved -> terminated by the campaign's provider; its re-offers end with it."""
    with transaction.atomic():
        enrollment = lock_enrollment(enrollment_id)
        ensure_reviewer(enrollment, by)
        ensure_status(
            enrollment,
            Status.APPROVED,
            _("Only an approved enrollment can be terminated; this one is %s."),
        )
        enrollment.status = Status.TERMINATED
        enrollment.reason_text = reason_text.strip()
        enrollment.promotion_ended_at = timezone.now()
        enrollment.save(update_fields=["status", "reason_text", "promotion_ended_at", "updated_at"])
        end_second_levels(enrollment)
        generations.bump_on_commit(generations.PROMOTION)
    return enrollment


def may_withdraw(enrollment: Enrollment, by: User) -> bool:
    """The product's merchant; for a re-offer also the first-level provider who made it."""
    if by.organisation_id == enrollment.product.merchant_id:
        return True
    if enrollment.parent_id is None:
        return False
    return Enrollment.objects.filter(
        pk=enrollment.parent_id, campaign__provider_id=by.organisation_id
    ).exists()


def withdraw_enrollment(*, enrollment_id: int, by: User) -> Enrollment:
    """pending -> withdrawn by the merchant (or, for a re-offer, the provider who made it)."""
    with transaction.atomic():
        enrollment = lock_enrollment(enrollment_id)
        ensure_can_write(by)
        ensure(
            may_withdraw(enrollment, by),
            Forbidden(_("Only the merchant of the product can withdraw this enrollment.")),
        )
        ensure_status(
            enrollment,
            Status.PENDING,
            _("Only a pending enrollment can be withdrawn; this one is %s."),
        )
        enrollment.status = Status.WITHDRAWN
        enrollment.save(update_fields=["status", "updated_at"])
    return enrollment


def bulk_approve(*, ids: list[int], by: User) -> BulkOutcome:
    """Approves what it can, one transaction per enrollment (core.bulk); an id the caller
    cannot see is refused "Not found." as a 404 would say."""
    ensure_can_write(by)
    ensure(
        by.organisation.role == Role.PROVIDER,
        Forbidden(_("Only service providers approve enrollments.")),
    )
    ensure(
        0 < len(ids) <= MAX_BULK_IDS,
        DomainError(_("Send between 1 and %d ids.") % MAX_BULK_IDS, field="ids"),
    )
    visible = set(
        enrollments_for(organisation=by.organisation)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    return act_on_each(ids, lambda pk: approve_enrollment(enrollment_id=pk, by=by), visible=visible)
