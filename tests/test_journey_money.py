"""The worked example of DESIGN.md, end to end through the API a real integration uses:
a buyer gets a link, a shopper clicks it, the storefront's signed webhooks report the
order, the operator runs settlement, and every party reads its figures and balances.

100.00 paid, 20 % commission, 10 % service fee, platform rate 10 %:
buyer nets 18.00, provider 9.00, platform 3.00, merchant pays 30.00.
"""

import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.utils import timezone

from commissions import click_buffer, tasks
from commissions.ledger import ledger_total
from tests.commissions.orders_support import event, line, post_signed
from tests.factories import CampaignFactory, EnrollmentFactory, RosterMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_click_stream(settings):
    settings.CLICK_STREAM = f"journey-{uuid.uuid4().hex}"
    yield
    if click_buffer.buffer_url():
        click_buffer.client(click_buffer.buffer_url(), purpose="worker").delete(
            settings.CLICK_STREAM
        )


@pytest.fixture
def marketplace(buyer, operator):
    campaign = CampaignFactory(
        status="ongoing", promotion_start=timezone.localdate() - timedelta(days=1),
        settlement_delay_days=15,
    )  # fmt: skip
    enrollment = EnrollmentFactory(
        status="approved", campaign=campaign, commission_rate=Decimal("0.2000"),
        service_fee_rate=Decimal("0.1000"), product__price=Decimal("120.00"),
    )  # fmt: skip
    from matchmaking.rates import record_initial_rate

    record_initial_rate(enrollment=enrollment, at=timezone.now() - timedelta(days=2))
    RosterMembershipFactory(provider=campaign.provider, buyer=buyer.organisation)
    return {
        "enrollment": enrollment,
        "buyer": buyer,
        "merchant": UserFactory(organisation=enrollment.product.merchant),
        "provider": UserFactory(organisation=campaign.provider),
        "operator": operator,
    }


def balances(api, user) -> dict[str, str]:
    rows = api.as_member(user).get("/api/v1/ledger/balances/").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    return {row["account"]: row["balance"] for row in rows}


def test_the_worked_example_from_click_to_ledger(api, client, marketplace):
    people, enrollment = marketplace, marketplace["enrollment"]
    sku = enrollment.product.sku

    link = (
        api.as_member(people["buyer"])
        .post("/api/v1/links/", {"enrollment": enrollment.pk}, format="json")
        .json()
    )
    redirect = client.get(f"/l/{link['code']}", HTTP_USER_AGENT="Mozilla/5.0 Chrome/120")
    assert redirect.status_code == 302
    click_id = parse_qs(urlparse(redirect["Location"]).query)["click_id"][0]

    paid = event("evt-1", "paid", "SHOP-1001", [line(sku, "100.00")], click_id=click_id)
    assert post_signed(api, paid).status_code in (200, 201)
    confirmed = event("evt-2", "confirmed", "SHOP-1001", [line(sku, "100.00")], click_id=click_id)
    assert post_signed(api, confirmed).status_code in (200, 201)
    # With Redis the click may still be in the stream when the order arrives: the beat's
    # flush stores it, and the retry attributes the line. Without Redis both find nothing to do.
    tasks.flush_click_stream()
    tasks.retry_unattributed_lines()

    commission = api.as_member(people["buyer"]).get("/api/v1/commissions/").json()["results"][0]
    assert (commission["status"], commission["base_amount"]) == ("estimated", "100.00")
    assert (commission["buyer_net"], commission["provider_net"]) == ("18.00", "9.00")
    assert (commission["platform_fee"], commission["merchant_pays"]) == ("3.00", "30.00")

    later = timezone.now() + timedelta(days=16)
    with time_machine.travel(later):
        run = api.as_member(people["operator"]).post(
            "/api/v1/settlements/run/", {"as_of": later.date().isoformat()}, format="json"
        )
        assert run.status_code in (200, 201, 202)
        assert run.json()["settled"] == 1

    settled = api.as_member(people["merchant"]).get("/api/v1/commissions/").json()["results"][0]
    assert settled["status"] == "settled"
    assert balances(api, people["buyer"])["buyer_earnings"] == "18.00"
    assert balances(api, people["provider"])["provider_fees"] == "9.00"
    assert balances(api, people["merchant"])["merchant_payable"] == "-30.00"
    assert balances(api, people["operator"])["platform_revenue"] == "3.00"
    assert ledger_total() == Decimal("0")

    stats = api.as_member(people["buyer"]).get(f"/api/v1/links/{link['id']}/stats/").json()
    assert (stats["clicks"], stats["orders"], stats["gmv"]) == (1, 1, "100.00")
    order = api.as_member(people["merchant"]).get("/api/v1/orders/").json()["results"][0]
    assert order["status"] == "settled"
    assert order["lines"][0]["commission"]["merchant_pays"] == "30.00"
