from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import ensure_can_write
from core.errors import DomainError, ensure
from influencers.locks import lock_buyer_profile
from influencers.models import BuyerProfile
from influencers.selectors.profiles import profile_of
from merchants.models import Category

PROFILE_FIELDS = (
    "handle",
    "platform",
    "followers",
    "price_band_min",
    "price_band_max",
    "audience_notes",
    "typical_units_per_livestream",
)


def update_profile(
    *, by: User, categories: list[Category] | None = None, **fields: object
) -> BuyerProfile:
    """A buyer describes itself; the price band starts at 0 or above and runs from low to high."""
    ensure_can_write(by)
    with transaction.atomic():
        profile = lock_buyer_profile(profile_of(buyer=by.organisation).pk)
        for name, value in fields.items():
            if name in PROFILE_FIELDS:
                setattr(profile, name, value)
        low, high = Decimal(profile.price_band_min), Decimal(profile.price_band_max)
        ensure(
            low >= 0,
            DomainError(_("The price band cannot start below zero."), field="price_band_min"),
        )
        ensure(
            low <= high,
            DomainError(
                _("The price band must start below where it ends."), field="price_band_max"
            ),
        )
        profile.save()
        if categories is not None:
            profile.categories.set(categories)
    return profile
