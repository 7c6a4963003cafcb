"""``{{ rate|percent }}``: a rate as people read it ("20 %", "8.5 %"; "—" for none), the same
words as every message that names a rate (matchmaking.rates.percent)."""

from decimal import Decimal

from django import template

from matchmaking import rates

register = template.Library()


@register.filter
def percent(rate: Decimal | None) -> str:
    return rates.percent(rate)
