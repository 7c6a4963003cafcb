from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from commissions.splits import money, split

D = Decimal


def test_the_worked_example_of_the_design():
    result = split(amount=D("100.00"), commission_rate=D("0.2000"),
                   service_fee_rate=D("0.1000"), platform_rate=D("0.1000"))  # fmt: skip

    assert (result.buyer_net, result.provider_net, result.platform_fee, result.merchant_pays) == (
        D("18.00"), D("9.00"), D("3.00"), D("30.00"),
    )  # fmt: skip


def test_half_up_rounding_to_the_fen():
    assert money(D("0.005")) == D("0.01")
    assert money(D("2.675")) == D("2.68")
    assert money(D("-0.005")) == D("-0.01")
    result = split(amount=D("99.90"), commission_rate=D("0.2250"),
                   service_fee_rate=D("0.0500"), platform_rate=D("0.1000"))  # fmt: skip
    assert (result.buyer_gross, result.buyer_fee, result.provider_gross, result.provider_fee) == (
        D("22.48"), D("2.25"), D("5.00"), D("0.50"),
    )  # fmt: skip


def test_a_second_level_takes_its_share_out_of_the_first_levels_fee():
    result = split(amount=D("100.00"), commission_rate=D("0.2000"), service_fee_rate=D("0.1000"),
                   platform_rate=D("0.1000"), second_level_rate=D("0.0600"))  # fmt: skip

    assert (result.provider_gross, result.upstream_gross) == (D("6.00"), D("4.00"))
    assert (result.provider_net, result.upstream_net) == (D("5.40"), D("3.60"))
    assert result.merchant_pays == D("30.00")
    assert result.platform_fee == D("3.00")


amounts = st.decimals(min_value=D("0.00"), max_value=D("99999.99"), places=2)
rates = st.decimals(min_value=D("0.0000"), max_value=D("0.4500"), places=4)


@given(amount=amounts, commission=rates, fee=rates, platform=rates, share=st.integers(0, 90))
def test_every_split_conserves_money(amount, commission, fee, platform, share):
    # share: the second level's percentage of the first level's fee; 0 means no second level
    second = (fee * share / 100).quantize(D("0.0001")) if share else None
    result = split(amount=amount, commission_rate=commission, service_fee_rate=fee,
                   platform_rate=platform, second_level_rate=second)  # fmt: skip

    parts = result.buyer_net + result.provider_net + result.upstream_net + result.platform_fee
    assert parts == result.merchant_pays
    assert result.merchant_pays == money(amount * commission) + money(amount * fee)
    for value in (result.buyer_net, result.provider_net, result.upstream_net, result.platform_fee):
        assert value >= 0
        assert value == value.quantize(D("0.01"))
