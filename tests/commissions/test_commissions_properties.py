"""Property: whatever the amounts, rates and refunds, every commission conserves money exactly
and its figures are ``splits.split`` on the paid amount less the refunds."""

from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commissions.models import Commission, PlatformSettings
from commissions.splits import money, split
from tests.commissions.commissions_support import (
    approved_enrollment,
    link_of,
    recompute,
    refund,
    sale,
    second_level,
    settle,
)

pytestmark = pytest.mark.django_db
D = Decimal
Status = Commission.Status
SPLIT = (
    "base_amount", "buyer_gross", "buyer_fee", "buyer_net", "provider_gross", "provider_fee",
    "provider_net", "upstream_gross", "upstream_fee", "upstream_net", "platform_fee",
    "merchant_pays",
)  # fmt: skip
POSTED = ("buyer_net", "provider_net", "upstream_net", "platform_fee", "merchant_pays")

rates = st.decimals(min_value=0, max_value=1, places=4)
amounts = st.decimals(min_value=0, max_value=D("99999.99"), places=2)


@st.composite
def lines(draw):
    commission = draw(st.decimals(min_value=0, max_value=D("0.8"), places=4))
    fee = min(draw(st.decimals(min_value=0, max_value=D("0.4"), places=4)), D("0.9") - commission)
    share = draw(st.none() | st.decimals(min_value=0, max_value=D("0.9"), places=4))
    r2 = None if share is None else (fee * share).quantize(D("0.0001"), rounding=ROUND_DOWN)
    amount = draw(amounts)
    fractions = draw(st.lists(rates, max_size=4))
    refunds = sorted(money(amount * fraction) for fraction in fractions)
    return {
        "commission": commission, "fee": fee, "r2": r2, "amount": amount, "refunds": refunds,
        "platform": draw(st.decimals(min_value=0, max_value=D("0.5"), places=4)),
        "settle_after": draw(st.integers(min_value=-1, max_value=len(refunds))),
    }  # fmt: skip


def expected_split(case, refunded):
    return split(
        amount=case["amount"] - refunded, commission_rate=case["commission"],
        service_fee_rate=case["fee"], platform_rate=case["platform"],
        second_level_rate=case["r2"],
    )  # fmt: skip


def build(case) -> Commission:
    PlatformSettings.objects.update_or_create(pk=1, defaults={"platform_rate": case["platform"]})
    first = approved_enrollment(commission=str(case["commission"]), fee=str(case["fee"]))
    enrollment = first if case["r2"] is None else second_level(first, rate=str(case["r2"]))
    return sale(link_of(enrollment), amount=str(case["amount"]))


def check(commission: Commission, case, refunded, posted) -> None:
    figures = expected_split(case, refunded)
    assert {name: getattr(commission, name) for name in SPLIT} == {
        name: getattr(figures, name) for name in SPLIT
    }
    assert commission.merchant_pays == (
        commission.buyer_net + commission.provider_net + commission.upstream_net
        + commission.platform_fee
    )  # fmt: skip
    if posted is not None:
        assert commission.status == Status.SETTLED
        assert {name: getattr(commission, f"posted_{name}") for name in POSTED} == posted
    elif refunded == case["amount"] or figures.merchant_pays < D("0.01"):
        assert commission.status == Status.VOID and commission.void_reason
    else:
        assert (commission.status, commission.void_reason) == (Status.ESTIMATED, "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=lines())
def test_every_commission_conserves_money_and_follows_the_split(case):
    commission = build(case)
    posted, refunded = None, D("0.00")
    check(commission, case, refunded, posted)
    for step, refunded in enumerate(case["refunds"]):
        if step == case["settle_after"] and commission.status != Status.VOID:
            commission = settle(commission)
            posted = {name: getattr(commission, name) for name in POSTED}
        commission = refund(commission, str(refunded))
        check(commission, case, refunded, posted)
        revision = commission.revision
        assert recompute(commission).revision == revision  # a second time changes nothing
