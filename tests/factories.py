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


class AffiliateLinkFactory(DjangoModelFactory):
    """A link of an approved enrollment, valid 90 days from now."""

    class Meta:
        model = "commissions.AffiliateLink"

    buyer = factory.SubFactory(OrganisationFactory, role=Role.BUYER)
    enrollment = factory.SubFactory(EnrollmentFactory, status="approved")
    code = factory.Sequence(lambda n: f"Lk{n:08d}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=90))
