"""The platform's settings, one row, set by operators.

Changing the platform rate affects only commissions computed afterwards: every commission
keeps the rate it was computed with (``Commission.platform_rate``).
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from commissions.locks import lock_platform_settings
from commissions.models import PlatformSettings
from core.errors import DomainError, ensure

MAX_PLATFORM_RATE = Decimal("0.5000")


def settings_row(rows: QuerySet[PlatformSettings] | None = None) -> PlatformSettings:
    """The settings row, created as row 1 with the defaults the first time it is asked for."""
    rows = PlatformSettings.objects.all() if rows is None else rows
    row = rows.order_by("pk").first()
    if row is None:
        try:
            with transaction.atomic():
                row = PlatformSettings.objects.create(pk=1)
        except IntegrityError:  # created by someone else meanwhile
            row = rows.get(pk=1)
    return row


def current_settings() -> PlatformSettings:
    """The settings row with who changed it last (the API shows both)."""
    return settings_row(PlatformSettings.objects.select_related("updated_by"))


def current_platform_rate() -> Decimal:
    """The operator's platform rate, for a commission computed now."""
    return settings_row().platform_rate


def update_platform_settings(*, platform_rate: Decimal, by: User) -> PlatformSettings:
    """Set the platform rate: from 0 to 0.5000 (50 percent), to four decimals; records who."""
    ensure(
        Decimal(0) <= platform_rate <= MAX_PLATFORM_RATE,
        DomainError(_("The platform rate is between 0.0000 and 0.5000."), field="platform_rate"),
    )
    ensure(
        platform_rate == platform_rate.quantize(Decimal("0.0001")),
        DomainError(_("Give the platform rate to four decimals."), field="platform_rate"),
    )
    with transaction.atomic():
        row = lock_platform_settings(current_settings().pk)
        row.platform_rate = platform_rate
        row.updated_by = by
        row.save(update_fields=["platform_rate", "updated_by", "updated_at"])
    return row
