"""Demo organisations, their members, merchant ratings, products and buyer profiles.

Everything is looked up by its natural key first (organisation name and role, username,
merchant and SKU) and only created when missing. Products go through
``merchants.services.create_product`` and buyer profiles through
``influencers.services.profiles.update_profile``, so their rules hold.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from accounts.models import Organisation, Role, User
from influencers.models import BuyerProfile
from influencers.services.profiles import update_profile
from merchants.models import Category, MerchantProfile, Product
from merchants.services import create_product
from portal.demo.data import (
    AUDIENCE_NOTE,
    BUYERS,
    DEMO_ORGANISATIONS,
    DEMO_PASSWORD,
    MERCHANTS,
    PRODUCTS,
    PROVIDERS,
)


@dataclass
class Cast:
    """The demo's members by username; the seed acts through them."""

    users: dict[str, User] = field(default_factory=dict)
    operator: User | None = None

    def org(self, username: str) -> Organisation:
        return self.users[username].organisation


@dataclass
class Tally:
    """What a seeding step created, for the command's summary."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + count


class Members:
    """Creates users with one password hash computed once (hashing is slow on purpose)."""

    def __init__(self) -> None:
        self._hash = ""

    def password(self) -> str:
        self._hash = self._hash or make_password(DEMO_PASSWORD)
        return self._hash

    def ensure(self, username: str, organisation: Organisation | None, *, staff=False) -> User:
        user = User.objects.filter(username=username).select_related("organisation").first()
        if user is None:
            user = User.objects.create(
                username=username,
                email=f"{username}@demo.local",
                organisation=organisation,
                is_staff=staff,
                is_superuser=staff,
                password=self.password(),
            )
        return user


def ensure_organisation(name: str, role: str, status: str, tally: Tally) -> Organisation:
    organisation = Organisation.objects.filter(name__iexact=name, role=role).first()
    if organisation is None:
        organisation = Organisation.objects.create(name=name, role=role, status=status)
        tally.add("organisations")
    return organisation


def seed_people(tally: Tally) -> Cast:
    """The operator, the printed demo logins, and every other demo organisation's member."""
    members, cast = Members(), Cast()
    cast.operator = members.ensure("operator", None, staff=True)
    active, pending = Organisation.Status.ACTIVE, Organisation.Status.PENDING
    wanted = [(u, role, name) for u, role, name in DEMO_ORGANISATIONS]
    wanted += [(u, Role.PROVIDER, name) for u, name, *_ in PROVIDERS]
    wanted += [(u, Role.MERCHANT, name) for u, name, *_ in MERCHANTS]
    wanted += [(u, Role.BUYER, name) for u, name, *_ in BUYERS]
    for username, role, name in dict.fromkeys(wanted):
        status = pending if username == "pending_provider" else active
        organisation = ensure_organisation(name, role, status, tally)
        cast.users[username] = members.ensure(username, organisation)
    return cast


def seed_products(cast: Cast, tally: Tally) -> None:
    """Merchant ratings and each merchant's products (active, with stock and sample stock)."""
    categories = {category.slug: category for category in Category.objects.all()}
    for username, _name, rating, prefix, _field in MERCHANTS:
        merchant = cast.org(username)
        MerchantProfile.objects.get_or_create(
            organisation=merchant, defaults={"rating": Decimal(rating)}
        )
        existing = set(Product.objects.filter(merchant=merchant).values_list("sku", flat=True))
        for suffix, title, slug, brand, price, stock, samples in PRODUCTS[username]:
            sku = f"{prefix}-{suffix}"
            if sku in existing:
                continue
            values = {
                "sku": sku, "title": title, "category": categories[slug], "brand": brand,
                "price": Decimal(price), "stock": stock, "sample_stock": samples,
                "storefront_url": f"https://shop.example.com/{prefix.lower()}/{sku.lower()}",
                "status": Product.Status.ACTIVE,
            }  # fmt: skip
            create_product(merchant=merchant, values=values)
            tally.add("products")


def seed_buyer_profiles(cast: Cast, tally: Tally) -> None:
    """Each buyer describes itself once (a profile with a handle is left alone)."""
    categories = {category.slug: category for category in Category.objects.all()}
    for username, _name, handle, platform, followers, band, units, slugs, _roster in BUYERS:
        user = cast.users[username]
        if BuyerProfile.objects.filter(organisation=user.organisation).exclude(handle="").exists():
            continue
        update_profile(
            by=user,
            categories=[categories[slug] for slug in slugs],
            handle=handle,
            platform=platform,
            followers=followers,
            price_band_min=Decimal(band[0]),
            price_band_max=Decimal(band[1]),
            audience_notes=AUDIENCE_NOTE,
            typical_units_per_livestream=units,
        )
        tally.add("buyer profiles")
