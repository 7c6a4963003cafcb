"""Demo campaigns, enrollments, rosters, assortments, a livestream and sample requests.

All through the matchmaking and influencers services, acting as the demo members, so the
rules (rates, windows, stock, reach) hold. Natural keys: campaign (provider, name),
enrollment (campaign, product), roster (provider, buyer), assortment (provider, name),
livestream (buyer, title); sample requests are seeded once per demo buyer.

One historical touch the services cannot make: approvals happen now, but the demo's sales
start up to 83 days ago, so the approved rate rows (``EnrollmentRate``) and ``reviewed_at``
of the ongoing campaigns' enrollments are dated back to the promotion start. Without it every old
order would fall back to the enrollment's current rate: the same figures, a thinner history.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from influencers.models import (
    BuyerProfile,
    FollowerVerification,
    LineupSlot,
    Livestream,
    SampleRequest,
)
from influencers.services import livestreams, samples
from influencers.services.follower_checks import verify_followers
from matchmaking.models import Assortment, Campaign, Enrollment, EnrollmentRate, RosterMembership
from matchmaking.selectors.reach import promotable_enrollments
from matchmaking.services import assortments, campaigns, enrollments, roster
from merchants.models import Category, Product
from portal.demo.data import (
    BUYERS,
    CAMPAIGN_KINDS,
    CAMPAIGN_STATUSES,
    CARRIERS,
    COMMISSION_RATES,
    MERCHANTS,
    PROVIDERS,
)
from portal.demo.people import Cast, Tally

Kind = Enrollment.Status


def day(offset: int):
    return timezone.localdate() + timedelta(days=offset)


def ensure_campaign(provider_user: User, field: str, kind: str, rates, tally: Tally) -> Campaign:
    name, registration, promotion, delay = CAMPAIGN_KINDS[kind]
    found = Campaign.objects.filter(provider=provider_user.organisation, name=name).first()
    if found is not None:
        return found
    values = {
        "name": name, "categories": [Category.objects.get(slug=field)],
        "registration_start": day(registration[0]), "registration_end": day(registration[1]),
        "promotion_start": day(promotion[0]), "promotion_end": day(promotion[1]),
        "min_commission_rate": Decimal(rates[0]), "service_fee_rate": Decimal(rates[1]),
        "settlement_delay_days": delay, "attribution_window_days": 7,
    }  # fmt: skip
    campaign = campaigns.create_campaign(by=provider_user, values=values)
    if kind != "draft":
        campaign = campaigns.open_campaign(campaign_id=campaign.pk, by=provider_user)
    tally.add("campaigns")
    return campaign


def terms_for(campaign: Campaign, product: Product, index: int) -> enrollments.Terms:
    rate = max(COMMISSION_RATES[index % len(COMMISSION_RATES)], campaign.min_commission_rate)
    return enrollments.Terms(
        commission_rate=rate,
        service_fee_rate=campaign.service_fee_rate,
        campaign_price=(product.price * Decimal("0.90")).quantize(Decimal("0.1")),
        promotion_stock=product.stock // 2,
        auto_approve_samples=index % 3 == 0,
    )


def enroll(cast: Cast, merchant: str, campaign: Campaign, product: Product, index: int, tally):
    """Enroll if the product has no enrollment in the campaign yet; None when it has one."""
    if Enrollment.objects.filter(campaign=campaign, product=product).exists():
        return None
    tally.add("enrollments")
    return enrollments.enroll_product(
        by=cast.users[merchant],
        campaign_id=campaign.pk,
        product_id=product.pk,
        terms=terms_for(campaign, product, index),
    )


def review(enrollment: Enrollment | None, outcome: str, reviewer: User) -> None:
    if enrollment is None or outcome == Kind.PENDING:
        return
    if outcome == Kind.REJECTED:
        enrollments.reject_enrollment(
            enrollment_id=enrollment.pk,
            by=reviewer,
            reason=Enrollment.Reason.PRICE_NOT_COMPETITIVE,
            reason_text="同类商品到手价更低 Similar items sell for less.",
        )
    else:
        enrollments.approve_enrollment(enrollment_id=enrollment.pk, by=reviewer)


def outcome_in_ongoing(index: int, count: int) -> str:
    """Most are approved; the last product waits for review, the one before is rejected."""
    if index == count - 1:
        return Kind.PENDING
    if index == count - 2 and count > 5:
        return Kind.REJECTED
    return Kind.APPROVED


def seed_provider(cast: Cast, provider: tuple, tally: Tally) -> None:
    username, _name, field, *rates = provider
    user = cast.users[username]
    by_kind = {kind: ensure_campaign(user, field, kind, rates, tally) for kind in CAMPAIGN_STATUSES}
    for merchant, _mname, _rating, _prefix, merchant_field in MERCHANTS:
        if merchant_field != field:
            continue
        products = list(Product.objects.filter(merchant=cast.org(merchant)).order_by("sku"))
        for index, product in enumerate(products):
            made = enroll(cast, merchant, by_kind["ongoing"], product, index, tally)
            review(made, outcome_in_ongoing(index, len(products)), user)
        for index, product in enumerate(products[:2]):
            made = enroll(cast, merchant, by_kind["open"], product, index, tally)
            review(made, Kind.APPROVED if index == 0 else Kind.PENDING, user)
        closed = by_kind["closed"]
        if closed.status != Campaign.Status.CLOSED:
            review(enroll(cast, merchant, closed, products[2], 2, tally), Kind.APPROVED, user)
    closed = by_kind["closed"]
    if closed.status != Campaign.Status.CLOSED:
        campaigns.close_campaign(campaign_id=closed.pk, by=user)
    backdate_approvals(by_kind["ongoing"])


def backdate_approvals(campaign: Campaign) -> None:
    """See the module docstring: approvals of the ongoing campaign as of its promotion start."""
    start = timezone.make_aware(datetime.combine(campaign.promotion_start, time(9)))
    approved = Enrollment.objects.filter(campaign=campaign, status=Kind.APPROVED)
    approved.filter(reviewed_at__gt=start).update(reviewed_at=start)
    EnrollmentRate.objects.filter(
        enrollment__in=approved, change_request__isnull=True, effective_at__gt=start
    ).update(effective_at=start, effective_for_existing_at=start)


def seed_campaigns(cast: Cast, tally: Tally) -> None:
    for provider in PROVIDERS:
        seed_provider(cast, provider, tally)


def seed_rosters(cast: Cast, tally: Tally) -> None:
    """Each buyer on its providers' rosters: invited by the provider, accepted by the buyer."""
    for username, *_rest, providers in BUYERS:
        buyer = cast.users[username]
        for provider in providers:
            provider_user = cast.users[provider]
            if RosterMembership.objects.filter(
                provider=provider_user.organisation, buyer=buyer.organisation
            ).exists():
                continue
            invited = roster.invite_buyer(by=provider_user, buyer_id=buyer.organisation_id)
            roster.accept_membership(membership_id=invited.pk, by=buyer)
            tally.add("roster memberships")
        verify_demo_followers(cast, username, providers)


# One buyer's claim stays unverified, so the demo shows merchants what that looks like.
UNVERIFIED_BUYER_INDEX = -1


def verify_demo_followers(cast: Cast, username: str, providers: list[str]) -> None:
    """The buyer's first provider checks its follower count in the platform's back office."""
    buyer = cast.users[username].organisation
    last = BUYERS[UNVERIFIED_BUYER_INDEX][0]
    if (
        not providers
        or username == last
        or FollowerVerification.objects.filter(buyer=buyer).exists()
    ):
        return
    claimed = BuyerProfile.objects.get(organisation=buyer).followers
    verify_followers(
        by=cast.users[providers[0]], buyer_id=buyer.pk, followers=claimed,
        note="抖音后台核对 Checked in the platform's back office",
    )  # fmt: skip


ASSORTMENT_NAME = "本周主推 This week's top picks"
ASSORTMENT_NOTES = ["主推款，开场讲 Hero item: open with it", "高佣 High commission", "", ""]


def seed_assortments(cast: Cast, tally: Tally) -> None:
    """Each provider curates its ongoing campaign's approved items for its roster buyers."""
    for username, *_rest in PROVIDERS:
        user = cast.users[username]
        provider = user.organisation
        if Assortment.objects.filter(provider=provider, name=ASSORTMENT_NAME).exists():
            continue
        approved = Enrollment.objects.filter(
            campaign__provider=provider,
            campaign__name=CAMPAIGN_KINDS["ongoing"][0],
            status=Kind.APPROVED,
        ).order_by("-campaign_price", "pk")[:6]
        items = [
            assortments.ItemInput(enrollment_id=e.pk, note=ASSORTMENT_NOTES[i % 4])
            for i, e in enumerate(approved)
        ]
        buyer_ids = RosterMembership.objects.filter(
            provider=provider, status=RosterMembership.Status.ACTIVE
        ).values_list("buyer_id", flat=True)
        assortments.create_assortment(
            by=user,
            name=ASSORTMENT_NAME,
            description="冬季高转化单品 Winter items that convert.",
            buyer_ids=list(buyer_ids),
            items=items,
        )
        tally.add("assortments")


LIVESTREAM_TITLE = "双十二预热专场 Double-12 warm-up live"
ROLES = [LineupSlot.Role.HERO, LineupSlot.Role.TRAFFIC, LineupSlot.Role.MARGIN, LineupSlot.Role.NEW]


def seed_livestream(cast: Cast, tally: Tally) -> Livestream:
    """The demo buyer's next livestream, confirmed, with a lineup of what it may promote."""
    buyer = cast.users["buyer"]
    found = Livestream.objects.filter(buyer=buyer.organisation, title=LIVESTREAM_TITLE).first()
    if found is not None:
        return found
    items = promotable_enrollments(buyer=buyer.organisation).order_by("pk")[:8]
    slots = [
        livestreams.SlotPlan(
            enrollment_id=e.pk, role=ROLES[i % 4], minutes=8 if i == 0 else 5,
            target_units=min(e.promotion_stock, 120 if i == 0 else 40),
        )
        for i, e in enumerate(items)
    ]  # fmt: skip
    at = timezone.make_aware(datetime.combine(day(3), time(20)))
    made = livestreams.create_livestream(
        by=buyer, title=LIVESTREAM_TITLE, scheduled_at=at, slots=slots
    )
    livestreams.move_livestream(by=buyer, livestream_id=made.pk, action="confirm")
    tally.add("livestreams")
    return made


# The sample requests' journeys, one per item of the lineup.
SAMPLE_JOURNEYS = ["fulfilled", "received", "shipped", "approved", "requested", "rejected"]
LIFECYCLE = ["requested", "approved", "shipped", "received", "fulfilled"]


def seed_samples(cast: Cast, livestream: Livestream, tally: Tally) -> None:
    """Sample requests of the demo buyer in several states (once: skipped if it has any)."""
    buyer = cast.users["buyer"]
    if SampleRequest.objects.filter(buyer=buyer.organisation).exists():
        return
    slots = list(livestream.slots.select_related("enrollment__product").order_by("position"))
    for journey, slot in zip(SAMPLE_JOURNEYS, slots, strict=False):
        sample = samples.request_sample(
            by=buyer, enrollment_id=slot.enrollment_id, livestream_id=livestream.pk
        )
        merchant = slot.enrollment.product.merchant.members.order_by("pk").first()
        walk_sample(sample, journey, buyer=buyer, merchant=merchant)
        tally.add("sample requests")


def walk_sample(sample: SampleRequest, journey: str, *, buyer: User, merchant: User) -> None:
    if journey == "rejected":
        samples.reject_sample_request(
            request_id=sample.pk, by=merchant, reason="样品已发完 Samples ran out."
        )
        return
    for step in LIFECYCLE[1 : LIFECYCLE.index(journey) + 1]:
        if step == "approved" and sample.status == SampleRequest.Status.REQUESTED:
            sample = samples.approve_sample_request(request_id=sample.pk, by=merchant)
        elif step == "shipped":
            sample = samples.ship_sample_request(
                request_id=sample.pk, by=merchant, carrier=CARRIERS[sample.pk % 3],
                tracking_number=f"SF{1400000000 + sample.pk * 7919}",
            )  # fmt: skip
        elif step == "received":
            sample = samples.receive_sample_request(request_id=sample.pk, by=buyer)
        elif step == "fulfilled":
            sample = samples.fulfil_sample_request(request_id=sample.pk, by=buyer)
