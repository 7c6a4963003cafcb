"""The sample request state machine (申样).

requested -> approved | rejected -> shipped -> received -> fulfilled;
requested/approved -> withdrawn by the buyer; late ones -> overdue (the
merchant missed approving or shipping) or unfulfilled (the buyer missed going
live), which counts against the buyer's fulfilment rate. Row locks: influencers.locks,
accounts.locks and merchants.locks, in the order of docs/architecture.md.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.locks import lock_organisation
from accounts.models import Organisation, Role, User
from accounts.services import ensure_can_write
from core.errors import Conflict, DomainError, Forbidden, ensure
from core.notifications import notify
from influencers.locks import lock_sample_request
from influencers.models import BuyerProfile, Livestream, SampleRequest
from influencers.selectors.profiles import profile_of
from matchmaking.models import Enrollment
from matchmaking.selectors.reach import sampleable_enrollments
from merchants.locks import lock_product
from merchants.models import Product

APPROVE_WITHIN = timedelta(days=3)
SHIP_WITHIN = timedelta(days=5)
FULFIL_WITHIN = timedelta(days=14)
EXTENSION = timedelta(days=7)
Status = SampleRequest.Status


def ensure_buyer(by: User) -> None:
    ensure(by.role == Role.BUYER, Forbidden(_("Only buyers ask for samples.")))


def request_sample(
    *, by: User, enrollment_id: int, livestream_id: int | None = None
) -> SampleRequest:
    """A buyer asks for a sample of an enrollment it may promote, within its limits."""
    ensure_buyer(by)
    ensure_can_write(by)
    buyer = by.organisation
    now = timezone.now()
    with transaction.atomic():
        # The buyer row serialises this buyer's requests, so the monthly cap holds under races.
        lock_organisation(buyer.pk)
        enrollment = sampleable_enrollments(buyer=buyer).filter(pk=enrollment_id).first()
        ensure(
            enrollment is not None,
            DomainError(_("You cannot ask for a sample of this item."), field="enrollment"),
        )
        check_limits(buyer=buyer, enrollment=enrollment, now=now)
        livestream = own_livestream(buyer=buyer, livestream_id=livestream_id)
        try:
            with transaction.atomic():
                sample = SampleRequest.objects.create(
                    buyer=buyer,
                    enrollment=enrollment,
                    livestream=livestream,
                    requested_by=by,
                    approve_by=now + APPROVE_WITHIN,
                )
        except IntegrityError as exc:
            raise Conflict(_("You already have an open sample request for this item.")) from exc
        notify(
            organisation=enrollment.product.merchant,
            kind="sample.requested",
            message=_("%(buyer)s asks for a sample of %(title)s.")
            % {"buyer": buyer.name, "title": enrollment.product.title},
            link=f"/samples/{sample.pk}/",
        )
        if enrollment.auto_approve_samples:
            sample = auto_approve(sample=sample)
    return sample


def check_limits(*, buyer: Organisation, enrollment: Enrollment, now: datetime) -> None:
    open_one = SampleRequest.objects.filter(
        buyer=buyer, enrollment=enrollment, status__in=[Status.REQUESTED, Status.APPROVED,
                                                        Status.SHIPPED, Status.RECEIVED]
    ).exists()  # fmt: skip
    ensure(not open_one, Conflict(_("You already have an open sample request for this item.")))
    month_start = now.astimezone(timezone.get_current_timezone()).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    used = SampleRequest.objects.filter(buyer=buyer, created_at__gte=month_start).count()
    cap = settings.SAMPLE_MONTHLY_CAP
    ensure(
        used < cap,
        DomainError(
            _("You have used this month's %(cap)d sample requests.") % {"cap": cap},
            field="enrollment",
        ),
    )
    check_followers(profile=profile_of(buyer=buyer), enrollment=enrollment)


def check_followers(*, profile: BuyerProfile, enrollment: Enrollment) -> None:
    """min_followers counts the verified figure only: a buyer's own claim proves nothing."""
    verified, claimed = profile.followers_verified, profile.followers
    if verified >= enrollment.min_followers:
        return
    figures = {
        "needed": number_format(enrollment.min_followers, force_grouping=True),
        "verified": number_format(verified, force_grouping=True),
        "claimed": number_format(claimed, force_grouping=True),
    }
    if claimed != verified:
        message = _(
            "This item asks for at least %(needed)s verified followers; %(verified)s are "
            "verified (you claim %(claimed)s, and an unverified claim does not count)."
        )
    else:
        message = _(
            "This item asks for at least %(needed)s verified followers; %(verified)s are verified."
        )
    raise DomainError(message % figures, field="enrollment")


def own_livestream(*, buyer: Organisation, livestream_id: int | None) -> Livestream | None:
    if livestream_id is None:
        return None
    livestream = Livestream.objects.filter(pk=livestream_id, buyer=buyer).first()
    ensure(livestream is not None, DomainError(_("No such livestream."), field="livestream"))
    return livestream


def auto_approve(*, sample: SampleRequest) -> SampleRequest:
    """Inside request_sample's transaction: approve at once if a unit is left, else wait."""
    product = lock_product(sample.enrollment.product_id)
    if product.sample_stock <= 0:
        return sample
    reserve_unit(sample=sample, product=product, now=timezone.now())
    sample.auto_approved = True
    sample.save(update_fields=["auto_approved"])
    notify_buyer(sample, "sample.approved", _("Your sample of %(title)s is approved."))
    return sample


def reserve_unit(*, sample: SampleRequest, product: Product, now: datetime) -> None:
    ensure(product.sample_stock > 0, Conflict(_("No sample stock left for this product.")))
    Product.objects.filter(pk=product.pk).update(sample_stock=F("sample_stock") - 1)
    sample.status = Status.APPROVED
    sample.unit_reserved = True
    sample.approved_at = now
    sample.ship_by = now + SHIP_WITHIN
    sample.save(update_fields=["status", "unit_reserved", "approved_at", "ship_by"])


def release_unit(*, sample: SampleRequest) -> None:
    """The reserved unit back to the product's sample stock (the UPDATE locks the product,
    if the caller has not locked it already)."""
    if sample.unit_reserved:
        Product.objects.filter(pk=sample.enrollment.product_id).update(
            sample_stock=F("sample_stock") + 1
        )
        sample.unit_reserved = False


def side_of(user: User, sample: SampleRequest) -> str | None:
    organisation_id = user.organisation_id
    if organisation_id == sample.buyer_id:
        return "buyer"
    if organisation_id == sample.enrollment.product.merchant_id:
        return "merchant"
    if organisation_id == sample.enrollment.campaign.provider_id:
        return "provider"
    return None


def ensure_side(user: User, sample: SampleRequest, *sides: str) -> None:
    ensure_can_write(user)
    ensure(side_of(user, sample) in sides, Forbidden(_("Your side cannot do this.")))


def ensure_status(sample: SampleRequest, *allowed: str, action: str) -> None:
    ensure(
        sample.status in allowed,
        Conflict(
            _("This sample request is %(status)s, so it cannot be %(action)s.")
            % {"status": sample.get_status_display().lower(), "action": action}
        ),
    )


def notify_buyer(sample: SampleRequest, kind: str, message: str) -> None:
    notify(
        organisation=sample.buyer,
        kind=kind,
        message=message % {"title": sample.enrollment.product.title},
        link=f"/samples/{sample.pk}/",
    )


def notify_merchant(sample: SampleRequest, kind: str, message: str) -> None:
    notify(
        organisation=sample.enrollment.product.merchant,
        kind=kind,
        message=message % {"buyer": sample.buyer.name, "title": sample.enrollment.product.title},
        link=f"/samples/{sample.pk}/",
    )


def approve_sample_request(*, request_id: int, by: User) -> SampleRequest:
    """The merchant or provider approves; one unit of sample stock is reserved atomically."""
    with transaction.atomic():
        sample = lock_sample_request(request_id)
        ensure_side(by, sample, "merchant", "provider")
        ensure_status(sample, Status.REQUESTED, action=_("approved"))
        product = lock_product(sample.enrollment.product_id)
        reserve_unit(sample=sample, product=product, now=timezone.now())
        notify_buyer(sample, "sample.approved", _("Your sample of %(title)s is approved."))
    return sample


def reject_sample_request(*, request_id: int, by: User, reason: str = "") -> SampleRequest:
    """Rejecting before shipping releases a reserved unit."""
    with transaction.atomic():
        sample = lock_sample_request(request_id)
        ensure_side(by, sample, "merchant", "provider")
        ensure_status(sample, Status.REQUESTED, Status.APPROVED, action=_("rejected"))
        release_unit(sample=sample)
        close(sample, Status.REJECTED, reason=reason)
        notify_buyer(sample, "sample.rejected", _("Your sample of %(title)s was declined."))
    return sample


def withdraw_sample_request(*, request_id: int, by: User) -> SampleRequest:
    """The buyer takes back a request that has not shipped; a reserved unit goes back."""
    with transaction.atomic():
        sample = lock_sample_request(request_id)
        ensure_side(by, sample, "buyer")
        ensure_status(sample, Status.REQUESTED, Status.APPROVED, action=_("withdrawn"))
        release_unit(sample=sample)
        close(sample, Status.WITHDRAWN)
        notify_merchant(
            sample, "sample.withdrawn", _("%(buyer)s withdrew the sample request for %(title)s.")
        )
    return sample


def ship_sample_request(
    *, request_id: int, by: User, carrier: str, tracking_number: str
) -> SampleRequest:
    """The merchant ships the reserved unit with a carrier and a tracking number."""
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    ensure(bool(carrier), DomainError(_("Name the carrier."), field="carrier"))
    ensure(
        bool(tracking_number), DomainError(_("Give the tracking number."), field="tracking_number")
    )
    with transaction.atomic():
        sample = lock_sample_request(request_id)
        ensure_side(by, sample, "merchant")
        ensure_status(sample, Status.APPROVED, action=_("shipped"))
        sample.status = Status.SHIPPED
        sample.carrier, sample.tracking_number = carrier[:60], tracking_number[:60]
        sample.shipped_at = timezone.now()
        sample.save(update_fields=["status", "carrier", "tracking_number", "shipped_at"])
        notify_buyer(sample, "sample.shipped", _("Your sample of %(title)s is on its way."))
    return sample


def receive_sample_request(*, request_id: int, by: User) -> SampleRequest:
    """The buyer confirms receipt; the 14 days to go live start now."""
    with transaction.atomic():
        sample = lock_sample_request(request_id)
        ensure_side(by, sample, "buyer")
        ensure_status(sample, Status.SHIPPED, action=_("received"))
        now = timezone.now()
        sample.status, sample.received_at, sample.fulfil_by = (
            Status.RECEIVED,
            now,
            now + FULFIL_WITHIN,
        )
        sample.save(update_fields=["status", "received_at", "fulfil_by"])
        notify_merchant(sample, "sample.received", _("%(buyer)s received the sample of %(title)s."))
    return sample


def fulfil_sample_request(*, request_id: int, by: User) -> SampleRequest:
    """The buyer took the product live: the request is fulfilled."""
    with transaction.atomic():
        sample = lock_sample_request(request_id)
        ensure_side(by, sample, "buyer")
        ensure_status(sample, Status.RECEIVED, action=_("fulfilled"))
        close(sample, Status.FULFILLED)
        notify_merchant(sample, "sample.fulfilled", _("%(buyer)s took %(title)s live."))
    return sample


def extend_sample_request(*, request_id: int, by: User) -> SampleRequest:
    """One 7-day extension of the fulfilment deadline, once."""
    with transaction.atomic():
        sample = lock_sample_request(request_id)
        ensure_side(by, sample, "buyer")
        ensure_status(sample, Status.RECEIVED, action=_("extended"))
        ensure(not sample.extended, Conflict(_("This sample request was already extended once.")))
        sample.extended = True
        sample.fulfil_by = sample.fulfil_by + EXTENSION
        sample.save(update_fields=["extended", "fulfil_by"])
        notify_merchant(
            sample, "sample.extended", _("%(buyer)s took 7 more days to take %(title)s live.")
        )
    return sample


def close(sample: SampleRequest, status: str, reason: str = "") -> None:
    sample.status, sample.closed_at = status, timezone.now()
    sample.reason = (reason or "")[:500]
    sample.save(update_fields=["status", "closed_at", "reason", "unit_reserved"])
