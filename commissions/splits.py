"""The money formula of DESIGN.md, in one place: pure functions on Decimals, no database.

For a paid amount A, commission rate c, service-fee rate f, platform rate t,
half-up rounding to the fen:

    buyer_gross = round(A c)        provider_gross = round(A f)
    buyer_fee = round(buyer_gross t)   provider_fee = round(provider_gross t)
    buyer_net = buyer_gross - buyer_fee   provider_net = provider_gross - provider_fee
    merchant_pays = buyer_gross + provider_gross

With a second level at rate r2 the second level's gross is round(A r2) and
the first level's is round(A f) - that; each pays the platform its own fee.
"""

from dataclasses import dataclass
from decimal import Decimal

from core.money import money

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Split:
    base_amount: Decimal
    buyer_gross: Decimal
    buyer_fee: Decimal
    buyer_net: Decimal
    provider_gross: Decimal
    provider_fee: Decimal
    provider_net: Decimal
    upstream_gross: Decimal
    upstream_fee: Decimal
    upstream_net: Decimal

    @property
    def platform_fee(self) -> Decimal:
        return self.buyer_fee + self.provider_fee + self.upstream_fee

    @property
    def merchant_pays(self) -> Decimal:
        return self.buyer_gross + self.provider_gross + self.upstream_gross


def split(
    *,
    amount: Decimal,
    commission_rate: Decimal,
    service_fee_rate: Decimal,
    platform_rate: Decimal,
    second_level_rate: Decimal | None = None,
) -> Split:
    """The split of one line. ``service_fee_rate`` is the first level's; with a second level,
    ``provider_*`` is the second level (round(A r2)) and ``upstream_*`` the first level's rest."""
    amount = money(amount)
    buyer_gross = money(amount * commission_rate)
    fee_gross = money(amount * service_fee_rate)
    if second_level_rate is None:
        provider_gross, upstream_gross = fee_gross, ZERO
    else:
        provider_gross = money(amount * second_level_rate)
        upstream_gross = fee_gross - provider_gross
    buyer_fee = money(buyer_gross * platform_rate)
    provider_fee = money(provider_gross * platform_rate)
    upstream_fee = money(upstream_gross * platform_rate)
    return Split(
        base_amount=amount,
        buyer_gross=buyer_gross,
        buyer_fee=buyer_fee,
        buyer_net=buyer_gross - buyer_fee,
        provider_gross=provider_gross,
        provider_fee=provider_fee,
        provider_net=provider_gross - provider_fee,
        upstream_gross=upstream_gross,
        upstream_fee=upstream_fee,
        upstream_net=upstream_gross - upstream_fee,
    )
