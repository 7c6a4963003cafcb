"""manage.py seed_demo: a live marketplace on first run, nothing new on the second."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Organisation
from commissions.ledger import balances, ledger_total
from commissions.models import Click, Commission, LedgerTransaction, Order
from core.demo.data import DEMO_PASSWORD
from influencers.selectors.reach import promotable_enrollments
from matchmaking.models import Campaign, Enrollment
from matchmaking.selectors.campaigns import effective_status
from merchants.models import Product

pytestmark = pytest.mark.django_db

COUNTED = {
    "organisations": Organisation.objects,
    "products": Product.objects,
    "enrollments": Enrollment.objects,
    "clicks": Click.objects,
    "orders": Order.objects,
    "commissions": Commission.objects,
    "ledger transactions": LedgerTransaction.objects,
}


PAGES = ["/", "/dashboard/", "/orders/", "/commissions/", "/statements/"]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {name: manager.count() for name, manager in COUNTED.items()}


def org(name_start: str) -> Organisation:
    return Organisation.objects.get(name__startswith=name_start)


def test_it_builds_a_live_marketplace_once(client):
    first = seed()
    after_first = counts()
    second = seed()

    assert counts() == after_first
    assert "orders: already seeded" in second and "settlement: already seeded" in second
    assert "already seeded" not in first
    assert after_first["products"] >= 35 and after_first["orders"] >= 50
    assert Organisation.objects.filter(role="provider", status="active").count() == 5
    assert ledger_total() == 0

    merchant, buyer, provider = org("杭州云裳"), org("小鹿"), org("优选团长")
    assert Order.objects.filter(merchant=merchant).count() >= 10
    assert promotable_enrollments(buyer=buyer).count() >= 8
    assert effective_status(Campaign.objects.get(provider=provider, name__contains="Winter")) == (
        Campaign.Status.ONGOING
    )
    assert Commission.objects.filter(status=Commission.Status.SETTLED).exists()
    assert balances(organisation=buyer)["buyer_earnings"] > 0
    assert balances(organisation=merchant)["merchant_payable"] < 0
    assert balances(organisation=provider)["provider_fees"] > 0

    for username in ("operator", "merchant", "buyer", "provider", "pending_provider"):
        assert client.login(username=username, password=DEMO_PASSWORD), username
    for username in ("merchant", "buyer", "provider"):
        client.login(username=username, password=DEMO_PASSWORD)
        for page in PAGES:
            assert client.get(page).status_code == 200, (username, page)
    assert org("新星选品").status == Organisation.Status.PENDING
