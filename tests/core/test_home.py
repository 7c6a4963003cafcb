"""Each role's home shows the counts of what needs doing, and links to it."""

from decimal import Decimal

import pytest
from django.utils import timezone

from influencers.models import SampleRequest
from tests.factories import EnrollmentFactory, RosterMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def tile(page: str, label: str) -> str:
    """The figure shown in the tile with this label."""
    end = page.index(f'<span class="label">{label}</span>')
    start = page.rindex('<span class="figure">', 0, end) + len('<span class="figure">')
    return page[start : page.index("</span>", start)]


def test_the_provider_dashboard_counts_its_work(client, provider, django_assert_max_num_queries):
    EnrollmentFactory(campaign__provider=provider.organisation)
    EnrollmentFactory(campaign__provider=provider.organisation)
    EnrollmentFactory()  # another provider's
    RosterMembershipFactory(provider=provider.organisation)
    RosterMembershipFactory(provider=provider.organisation, status="invited")
    client.force_login(provider)

    with django_assert_max_num_queries(14):
        page = client.get("/").content.decode()

    assert tile(page, "Enrollments to review") == "2"
    assert tile(page, "Open for registration") == "2"
    assert tile(page, "Buyers on your roster") == "1"
    assert tile(page, "Invitations waiting") == "1"


def test_the_merchant_home_counts_samples_to_answer(client, buyer):
    enrollment = EnrollmentFactory(status="approved")
    SampleRequest.objects.create(
        buyer=buyer.organisation, enrollment=enrollment, approve_by=timezone.now()
    )
    merchant = UserFactory(organisation=enrollment.product.merchant)
    client.force_login(merchant)

    page = client.get("/").content.decode()

    assert tile(page, "Sample requests to answer") == "1"
    assert tile(page, "Active products") == "1"


def test_the_buyer_home_counts_invitations(client, buyer):
    RosterMembershipFactory(buyer=buyer.organisation, status="invited")
    client.force_login(buyer)

    page = client.get("/").content.decode()

    assert tile(page, "Roster invitations") == "1"
    assert tile(page, "Items you can promote now") == "0"


def test_the_operator_home_shows_what_is_owed_and_the_last_settlement(
    client, operator, django_assert_max_num_queries
):
    from commissions.settlement import run_settlement
    from tests.commissions.settlement_support import DUE, due_commission

    due_commission(amount="100.00")  # settles to buyer 18.00, provider 9.00, merchant -30.00
    due_commission(amount="50.00")  # another buyer, provider and merchant
    run_settlement(as_of=DUE)
    client.force_login(operator)

    with django_assert_max_num_queries(12):
        page = client.get("/").content.decode()

    assert tile(page, "Members to pay") == "4"
    assert tile(page, "Merchants to collect from") == "2"
    assert tile(page, "Settlement runs in progress") == "0"
    assert '<dd data-figure="to-pay">¥40.50</dd>' in page  # 18 + 9 + 9 + 4.50
    assert '<dd data-figure="to-collect">¥45.00</dd>' in page  # 30 + 15
    assert "2 lines settled, 0 clawbacks." in page
    assert "<dt>Platform revenue earned</dt>" in page
    assert '<dd data-figure="platform_revenue">¥4.50</dd>' in page  # 3.00 + 1.50


def test_the_operator_reads_the_platform_accounts_as_what_they_mean(client, operator):
    from commissions import ledger
    from commissions.models import Account, Commission
    from commissions.services.payouts import record_payment
    from commissions.settlement import run_settlement
    from tests.commissions.settlement_support import DUE, due_commission

    due_commission(amount="100.00")  # buyer 18.00, provider 9.00, merchant -30.00, platform 3.00
    run_settlement(as_of=DUE)
    sold = Commission.objects.select_related("buyer", "merchant", "provider").get()
    ledger.post(
        kind="incentive",
        reference="incentive-test",
        entries=[
            (ledger.account_for(None, Account.Kind.INCENTIVES), "-12.00"),
            (ledger.account_for(sold.provider, Account.Kind.INCENTIVES), "12.00"),
        ],
    )
    record_payment(
        organisation_id=sold.buyer_id, kind="payout", amount=Decimal("18.00"), key="p", by=operator
    )
    record_payment(
        organisation_id=sold.merchant_id,
        kind="collection",
        amount=Decimal("20.00"),
        key="c",
        by=operator,
    )
    client.force_login(operator)

    page = client.get("/").content.decode()

    assert '<dd data-figure="platform_revenue">¥3.00</dd>' in page
    assert '<dd data-figure="incentives">¥12.00</dd>' in page  # the ledger holds -12.00
    assert '<dd data-figure="payouts">¥-2.00</dd>' in page  # 18.00 paid, 20.00 collected
    assert "<dt>Incentives granted</dt>" in page
    assert '<dd data-figure="to-pay">¥21.00</dd>' in page  # provider 9.00 + 12.00
    assert '<dd data-figure="to-collect">¥10.00</dd>' in page


def test_members_do_not_see_the_operator_overview(client, buyer):
    client.force_login(buyer)

    assert "Members to pay" not in client.get("/").content.decode()
