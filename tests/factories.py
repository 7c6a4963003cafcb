from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Organisation, Role, User

PASSWORD = "correct-horse-battery-9"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    role = Role.MERCHANT
    status = Organisation.Status.ACTIVE


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class OperatorFactory(UserFactory):
    organisation = None
    is_staff = True
    is_superuser = True


def category(slug: str = "womens-clothing"):
    from merchants.models import Category

    return Category.objects.get(slug=slug)


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = "merchants.Product"

    merchant = factory.SubFactory(OrganisationFactory, role=Role.MERCHANT)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    title = factory.Sequence(lambda n: f"Linen dress {n}")
    category = factory.LazyFunction(category)
    brand = "Yunshang"
    price = Decimal("199.00")
    stock = 500
    sample_stock = 5
    storefront_url = factory.Sequence(lambda n: f"https://shop.example.com/item/{n}")
    status = "active"


class CampaignFactory(DjangoModelFactory):
    """An open campaign: registration running now, promotion from tomorrow for 30 days."""

    class Meta:
        model = "matchmaking.Campaign"

    provider = factory.SubFactory(OrganisationFactory, role=Role.PROVIDER)
    name = factory.Sequence(lambda n: f"Autumn picks {n}")
    registration_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    registration_end = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))
    promotion_start = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=1))
    promotion_end = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=31))
    min_commission_rate = Decimal("0.2000")
    service_fee_rate = Decimal("0.1000")
    status = "open"


class EnrollmentFactory(DjangoModelFactory):
    """A pending enrollment of a product of the campaign's category."""

    class Meta:
        model = "matchmaking.Enrollment"

    campaign = factory.SubFactory(CampaignFactory)
    product = factory.SubFactory(ProductFactory)
    commission_rate = Decimal("0.2000")
    service_fee_rate = Decimal("0.1000")
    campaign_price = Decimal("159.00")
    promotion_stock = 200
    status = "pending"


class RosterMembershipFactory(DjangoModelFactory):
    class Meta:
        model = "matchmaking.RosterMembership"

    provider = factory.SubFactory(OrganisationFactory, role=Role.PROVIDER)
    buyer = factory.SubFactory(OrganisationFactory, role=Role.BUYER)
    status = "active"


def days_from_today(days: int):
    return factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=days))


class AffiliateLinkFactory(DjangoModelFactory):
    """A link of an approved enrollment promoted in a campaign that has been ongoing for most of
    a year (so orders dated in the tests' past were paid while it was promoting), valid 90 days
    from now. ``made_at`` backdates the link (a link code earns only for orders paid after)."""

    class Meta:
        model = "commissions.AffiliateLink"
        skip_postgeneration_save = True

    buyer = factory.SubFactory(OrganisationFactory, role=Role.BUYER)
    enrollment = factory.SubFactory(
        EnrollmentFactory,
        status="approved",
        campaign__status="ongoing",
        campaign__registration_start=days_from_today(-335),
        campaign__registration_end=days_from_today(10),
        campaign__promotion_start=days_from_today(-330),
        campaign__promotion_end=days_from_today(29),
    )
    code = factory.Sequence(lambda n: f"Lk{n:08d}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=90))

    @factory.post_generation
    def made_at(link, create, extracted, **kwargs):
        if create and extracted is not None:
            type(link).objects.filter(pk=link.pk).update(created_at=extracted)
            link.created_at = extracted


def commission_for(line, *, status="estimated", platform_rate=Decimal("0.1000"), **extra):
    """A Commission row for an attributed order line, split by commissions.splits.split with the
    line's enrollment rates (no second level). For tests that need money rows without running
    the whole pipeline; the real ones come from commissions.services."""
    from commissions.models import Commission
    from commissions.splits import split

    enrollment = line.link.enrollment
    result = split(
        amount=line.amount - line.refunded_amount,
        commission_rate=enrollment.commission_rate,
        service_fee_rate=enrollment.service_fee_rate,
        platform_rate=platform_rate,
    )
    return Commission.objects.create(
        line=line, order=line.order, enrollment=enrollment,
        merchant=enrollment.product.merchant, buyer=line.link.buyer,
        provider=enrollment.campaign.provider, status=status,
        base_amount=result.base_amount, commission_rate=enrollment.commission_rate,
        service_fee_rate=enrollment.service_fee_rate, platform_rate=platform_rate,
        buyer_gross=result.buyer_gross, buyer_fee=result.buyer_fee, buyer_net=result.buyer_net,
        provider_gross=result.provider_gross, provider_fee=result.provider_fee,
        provider_net=result.provider_net, platform_fee=result.platform_fee,
        merchant_pays=result.merchant_pays, earned_at=line.order.paid_at or timezone.now(),
        **extra,
    )  # fmt: skip


def attributed_line(
    link, *, amount="100.00", refunded="0.00", status="confirmed", paid_at=None, by_click=True
):
    """An order of one line attributed to ``link``: through a recorded click (conversion
    counts it; the click is flagged a 30-second repeat, so the clicks a test makes itself are
    the counted ones), or with ``by_click=False`` by link code alone."""
    from commissions.models import Click, Order, OrderLine

    paid_at = paid_at or timezone.now()
    click = None
    if by_click:
        click = Click.objects.create(
            link=link, click_id=f"backing-{Click.objects.count() + 1}-{link.pk}",
            clicked_at=paid_at - timedelta(minutes=5), ip_hash="b" * 64, is_duplicate=True,
        )  # fmt: skip
    order = Order.objects.create(
        external_id=f"EXT-{Order.objects.count() + 1}-{link.pk}", status=status, paid_at=paid_at,
        confirmed_at=paid_at if status == "confirmed" else None,
        merchant=link.enrollment.product.merchant,
    )  # fmt: skip
    return OrderLine.objects.create(
        order=order, position=1, sku=link.enrollment.product.sku, quantity=1,
        amount=Decimal(amount), refunded_amount=Decimal(refunded), link=link, click=click,
        product=link.enrollment.product, attributed_at=paid_at,
    )  # fmt: skip
