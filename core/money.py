"""The one rounding rule for money: half up, to the fen (DESIGN.md "Money")."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """``value`` rounded half up to the fen."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
