"""recompute_commissions: one commission per attributed line, split as DESIGN.md "Money" says."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from commissions.models import Commission, OrderLine, PlatformSettings
from commissions.selectors.commissions import is_settleable
from commissions.services.commissions import recompute_commissions
from matchmaking.rates import record_rate_change
from tests.commissions.commissions_support import (
    PAID,
    SHANGHAI,
    approved_enrollment,
    cancel,
    figures,
    link_of,
    recompute,
    refund,
    sale,
    second_level,
    settle,
)
from tests.factories import AffiliateLinkFactory, attributed_line

pytestmark = pytest.mark.django_db
D = Decimal
Status = Commission.Status


@pytest.fixture
def link():
    return link_of(approved_enrollment())


def test_the_worked_example_of_the_design(link):
    commission = sale(link)

    assert figures(commission) == (D("18.00"), D("9.00"), D("0.00"), D("3.00"), D("30.00"))
    assert (commission.buyer_gross, commission.provider_gross) == (D("20.00"), D("10.00"))
    assert (commission.buyer_fee, commission.provider_fee) == (D("2.00"), D("1.00"))
    assert commission.status == Status.ESTIMATED
    assert commission.base_amount == D("100.00")
    assert (commission.commission_rate, commission.service_fee_rate) == (D("0.2"), D("0.1"))
    assert commission.platform_rate == D("0.1000")
    assert commission.upstream_provider is None and commission.upstream_fee_rate is None
    assert (commission.buyer, commission.provider) == (
        link.buyer,
        link.enrollment.campaign.provider,
    )
    assert commission.merchant == link.enrollment.product.merchant
    assert commission.earned_at == PAID
    # confirmed on 2 March, 15-day delay: settleable from the start of 17 March, local time
    assert commission.settleable_at == datetime(2026, 3, 17, tzinfo=SHANGHAI)
    assert commission.revision == 0


def test_one_commission_per_attributed_line_and_none_for_the_others(link):
    line = attributed_line(link, amount="100.00", paid_at=PAID)
    OrderLine.objects.create(order=line.order, position=2, sku="OTHER", quantity=1, amount=D("50"))
    second = OrderLine.objects.create(
        order=line.order, position=3, sku=line.sku, quantity=2, amount=D("10.00"), link=link
    )

    commissions = recompute_commissions(order_id=line.order_id)

    assert [c.line_id for c in commissions] == [line.pk, second.pk]
    assert Commission.objects.count() == 2
    assert Commission.objects.get(line=second).merchant_pays == D("3.00")


def test_recomputing_twice_changes_nothing(link):
    commission = sale(link)
    refund(commission, "40.00")
    before = Commission.objects.get(pk=commission.pk)

    after = recompute(before)

    assert Commission.objects.count() == 1
    assert (after.revision, after.updated_at) == (1, before.updated_at)
    assert figures(after) == figures(before)


def test_a_second_level_takes_its_rate_out_of_the_first_levels_fee():
    first = approved_enrollment()
    second = second_level(first, rate="0.0600")
    commission = sale(link_of(second))

    assert (commission.provider_net, commission.upstream_net) == (D("5.40"), D("3.60"))
    assert (commission.buyer_net, commission.platform_fee) == (D("18.00"), D("3.00"))
    assert commission.merchant_pays == D("30.00")
    assert commission.provider == second.campaign.provider
    assert commission.upstream_provider == first.campaign.provider
    assert (commission.service_fee_rate, commission.upstream_fee_rate) == (D("0.06"), D("0.04"))
    assert commission.enrollment == second


def test_a_second_level_uses_the_first_levels_commission_as_in_force_then():
    first = approved_enrollment()
    second = second_level(first, rate="0.0600")
    link = link_of(second)
    record_rate_change(
        enrollment=first, commission_rate=D("0.3000"), service_fee_rate=D("0.1000"),
        at=PAID - timedelta(days=5),
    )  # fmt: skip

    commission = sale(link)

    assert commission.commission_rate == D("0.3000")  # an increase applies at once
    assert commission.buyer_net == D("27.00")
    assert commission.merchant_pays == D("40.00")


class TestTheThirtyDayRule:
    """A decrease 10 days before the order reaches only buyers who linked after it."""

    @pytest.fixture
    def enrollment(self):
        return approved_enrollment(commission="0.2000")

    def decrease(self, enrollment):
        with time_machine.travel(PAID - timedelta(days=10), tick=False):
            record_rate_change(
                enrollment=enrollment, commission_rate=D("0.1500"),
                service_fee_rate=D("0.1000"), at=timezone.now(),
            )  # fmt: skip

    def test_a_buyer_promoting_before_the_decrease_keeps_the_old_rate(self, enrollment):
        with time_machine.travel(PAID - timedelta(days=20), tick=False):
            link = AffiliateLinkFactory(enrollment=enrollment)
        self.decrease(enrollment)

        commission = sale(link)

        assert commission.commission_rate == D("0.2000")
        assert commission.buyer_net == D("18.00")

    def test_a_buyer_who_linked_after_the_decrease_gets_the_new_rate(self, enrollment):
        self.decrease(enrollment)
        with time_machine.travel(PAID - timedelta(days=5), tick=False):
            link = AffiliateLinkFactory(enrollment=enrollment)

        commission = sale(link)

        assert commission.commission_rate == D("0.1500")
        assert (commission.buyer_net, commission.merchant_pays) == (D("13.50"), D("25.00"))

    def test_the_decrease_reaches_everyone_30_days_later(self, enrollment):
        with time_machine.travel(PAID - timedelta(days=20), tick=False):
            link = AffiliateLinkFactory(enrollment=enrollment)
        self.decrease(enrollment)

        commission = sale(link, paid_at=PAID + timedelta(days=21))

        assert commission.commission_rate == D("0.1500")


def test_without_any_rate_row_the_rate_is_frozen_at_the_first_computation():
    link = AffiliateLinkFactory(enrollment__commission_rate=D("0.2000"))  # no history rows
    commission = sale(link)
    enrollment = link.enrollment
    enrollment.commission_rate = D("0.1000")
    enrollment.save(update_fields=["commission_rate"])

    commission = refund(commission, "50.00")

    assert commission.commission_rate == D("0.2000")
    assert commission.buyer_net == D("9.00")


def test_a_refund_before_settlement_shrinks_the_split(link):
    commission = refund(sale(link), "40.00")

    assert commission.base_amount == D("60.00")
    assert figures(commission) == (D("10.80"), D("5.40"), D("0.00"), D("1.80"), D("18.00"))
    assert (commission.status, commission.revision) == (Status.ESTIMATED, 1)


def test_a_full_refund_before_settlement_voids_the_commission(link):
    commission = refund(sale(link), "100.00")

    assert commission.status == Status.VOID
    assert commission.void_reason == "The line was fully refunded."
    assert figures(commission) == (D("0.00"),) * 5
    assert commission.settleable_at is None


def test_a_cancellation_voids_the_commission(link):
    commission = cancel(sale(link))

    assert commission.status == Status.VOID
    assert commission.void_reason == "The order was cancelled."
    assert commission.base_amount == D("0.00")
    assert figures(commission) == (D("0.00"),) * 5


def test_a_commission_under_a_fen_is_void():
    link = link_of(approved_enrollment(commission="0.1000", fee="0.1000"))

    commission = sale(link, amount="0.04")

    assert commission.status == Status.VOID
    assert commission.void_reason == "The commission would be under 0.01."
    assert commission.base_amount == D("0.04")
    assert commission.merchant_pays == D("0.00")


def test_a_settleable_line_stays_settleable_after_a_partial_refund(link):
    commission = sale(link)
    Commission.objects.filter(pk=commission.pk).update(status=Status.SETTLEABLE)

    commission = refund(commission, "10.00")

    assert commission.status == Status.SETTLEABLE
    assert commission.merchant_pays == D("27.00")


def test_a_refund_after_settlement_recomputes_and_keeps_what_was_posted(link):
    commission = settle(sale(link))

    commission = refund(commission, "40.00")

    assert commission.status == Status.SETTLED
    assert commission.revision == 1 and commission.posted_revision == 0
    assert figures(commission) == (D("10.80"), D("5.40"), D("0.00"), D("1.80"), D("18.00"))
    posted = (D("18.00"), D("9.00"), D("0.00"), D("3.00"), D("30.00"))
    assert figures(commission, posted=True) == posted


def test_a_full_refund_after_settlement_stays_settled_at_zero(link):
    commission = refund(settle(sale(link)), "100.00")

    assert (commission.status, commission.void_reason) == (Status.SETTLED, "")
    assert figures(commission) == (D("0.00"),) * 5
    assert commission.posted_merchant_pays == D("30.00")


def test_a_cancellation_after_settlement_recomputes_to_zero(link):
    commission = cancel(settle(sale(link)))

    assert commission.status == Status.SETTLED
    assert commission.revision == 1
    assert figures(commission) == (D("0.00"),) * 5
    assert commission.posted_merchant_pays == D("30.00")


def test_the_platform_rate_is_frozen_when_the_commission_is_first_computed(link):
    commission = sale(link)
    PlatformSettings.objects.update(platform_rate=D("0.2000"))

    commission = refund(commission, "50.00")
    newer = sale(link_of(approved_enrollment()))

    assert commission.platform_rate == D("0.1000")
    assert (commission.buyer_net, commission.platform_fee) == (D("9.00"), D("1.50"))
    assert newer.platform_rate == D("0.2000")
    assert (newer.buyer_net, newer.platform_fee) == (D("16.00"), D("6.00"))


def test_the_platform_settings_row_is_created_with_the_default_rate(link):
    PlatformSettings.objects.all().delete()

    sale(link)

    assert list(PlatformSettings.objects.values_list("platform_rate", flat=True)) == [D("0.1")]


def test_a_line_that_loses_its_attribution_is_void(link):
    commission = sale(link)
    OrderLine.objects.filter(pk=commission.line_id).update(link=None, sku="CHANGED")

    commission = recompute(commission)

    assert commission.status == Status.VOID
    assert commission.void_reason == "The line is no longer attributed to a link."
    assert commission.merchant_pays == D("0.00")


def test_confirmation_sets_when_the_line_becomes_settleable(link):
    commission = sale(link, status="paid")
    assert commission.settleable_at is None
    order = commission.order
    order.status, order.confirmed_at = "confirmed", PAID + timedelta(days=3)
    order.save(update_fields=["status", "confirmed_at"])

    commission = recompute(commission)

    assert commission.settleable_at == datetime(2026, 3, 20, tzinfo=SHANGHAI)


def test_a_line_is_settleable_once_confirmed_and_past_the_campaigns_delay(link):
    confirmed = sale(link)
    unconfirmed = sale(link, status="paid")
    void = refund(sale(link), "100.00")

    assert not is_settleable(confirmed, date(2026, 3, 16))
    assert is_settleable(confirmed, date(2026, 3, 17))
    assert not is_settleable(unconfirmed, date(2026, 6, 1))
    assert not is_settleable(void, date(2026, 6, 1))
    assert not is_settleable(settle(confirmed), date(2026, 6, 1))


def test_the_database_refuses_a_split_that_does_not_conserve_money(link):
    commission = refund(sale(link), "40.00")  # 10.80 + 5.40 + 1.80 = 18.00, to the fen

    with pytest.raises(IntegrityError), transaction.atomic():
        Commission.objects.filter(pk=commission.pk).update(merchant_pays=D("18.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Commission.objects.filter(pk=commission.pk).update(posted_merchant_pays=D("0.01"))
