"""Payouts to buyers and providers, merchants' payments: the API and the ledger."""

from decimal import Decimal

import pytest
import time_machine

from commissions import ledger
from commissions.models import IncentiveProgramme, LedgerTransaction
from commissions.services.incentives import pay_incentives
from tests.commissions.statements_support import at, sale, settle

pytestmark = pytest.mark.django_db
URL = "/api/v1/payouts/"


@pytest.fixture
def owed(merchant, buyer, provider):
    """Two settled 100.00 sales: the buyer is owed 36.00, the provider 18.00, the merchant
    owes 60.00."""
    parties = {
        "merchant": merchant.organisation,
        "buyer": buyer.organisation,
        "provider": provider.organisation,
    }
    for day in (3, 4):
        settle(sale(**parties), at(2026, 10, day))


def pay(api, operator, organisation, amount, kind="payout", **extra):
    body = {"organisation": organisation.pk, "amount": amount, "kind": kind, **extra}
    return api.as_member(operator).post(URL, body, format="json")


def test_an_operator_pays_a_buyer_part_of_what_it_is_owed(api, operator, buyer, owed):
    response = pay(api, operator, buyer.organisation, "20.00", reference="batch-7")

    assert response.status_code == 201
    body = response.json()
    assert body["organisation"] == buyer.organisation_id
    assert body["organisation_name"] == buyer.organisation.name
    assert (body["kind"], body["amount"]) == ("payout", "20.00")
    assert body["reference"] == f"payout:{buyer.organisation_id}:batch-7"
    assert body["created_by"] == operator.username
    assert ledger.balances(organisation=buyer.organisation) == {"buyer_earnings": Decimal("16.00")}
    assert ledger.balances(organisation=None)["payouts"] == Decimal("20.00")
    assert ledger.ledger_total() == 0


def test_a_payout_above_what_is_owed_is_refused(api, operator, buyer, owed):
    response = pay(api, operator, buyer.organisation, "36.01")

    assert response.status_code == 400
    assert response.json() == {
        "amount": [f"The amount is more than the 36.00 owed to {buyer.organisation.name}."]
    }
    assert not LedgerTransaction.objects.filter(kind="payout").exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0.00", "The amount must be more than 0.00."),
        ("-5.00", "The amount must be more than 0.00."),
        ("1.005", "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_a_non_positive_or_sub_fen_amount_is_refused(api, operator, buyer, owed, amount, message):
    response = pay(api, operator, buyer.organisation, amount)

    assert response.status_code == 400
    assert response.json() == {"amount": [message]}


def test_the_same_key_twice_pays_once(api, operator, buyer, owed):
    first = pay(api, operator, buyer.organisation, "30.00", reference="form-abc")
    second = pay(api, operator, buyer.organisation, "30.00", reference="form-abc")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    assert ledger.balances(organisation=buyer.organisation)["buyer_earnings"] == Decimal("6.00")


def test_the_same_key_for_another_amount_is_refused(api, operator, buyer, owed):
    pay(api, operator, buyer.organisation, "30.00", reference="form-abc")

    response = pay(api, operator, buyer.organisation, "5.00", reference="form-abc")

    assert response.status_code == 400
    assert response.json() == {"reference": ["This reference was already used for another amount."]}


def test_a_provider_payout_draws_on_fees_then_incentives(api, operator, provider, owed):
    programme = IncentiveProgramme.objects.create(
        name="Push", kind="cash", starts_on=at(2026, 10, 1).date()
    )
    programme.tiers.create(min_gmv=Decimal("100.00"), reward=Decimal("12.00"))
    pay_incentives(month=at(2026, 10, 1).date())

    response = pay(api, operator, provider.organisation, "30.00")  # 18.00 fees + 12.00 incentives

    assert response.status_code == 201
    assert ledger.balances(organisation=provider.organisation) == {
        "provider_fees": Decimal("0.00"), "incentives": Decimal("0.00"),
    }  # fmt: skip
    assert ledger.ledger_total() == 0


def test_a_merchant_pays_what_it_owes(api, operator, merchant, owed):
    too_much = pay(api, operator, merchant.organisation, "60.01", kind="collection")
    response = pay(api, operator, merchant.organisation, "60.00", kind="collection")

    assert too_much.status_code == 400
    assert too_much.json() == {
        "amount": [f"The amount is more than the 60.00 {merchant.organisation.name} owes."]
    }
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["amount"]) == ("collection", "60.00")
    assert ledger.balances(organisation=merchant.organisation) == {
        "merchant_payable": Decimal("0.00")
    }
    assert ledger.balances(organisation=None)["payouts"] == Decimal("-60.00")


def test_the_kind_must_fit_the_organisation(api, operator, merchant, buyer, owed):
    merchant_payout = pay(api, operator, merchant.organisation, "10.00", kind="payout")
    buyer_collection = pay(api, operator, buyer.organisation, "10.00", kind="collection")
    unknown = api.as_member(operator).post(
        URL, {"organisation": 999999, "amount": "1.00"}, format="json"
    )

    message = "Buyers and service providers are paid out; merchants pay (collection)."
    assert merchant_payout.json() == buyer_collection.json() == {"kind": [message]}
    assert unknown.status_code == 400
    assert unknown.json() == {"organisation": ["No such organisation."]}


def test_members_cannot_record_payouts(api, buyer, provider, pending_provider, owed):
    for member in (buyer, provider, pending_provider):
        response = pay(api, member, buyer.organisation, "1.00")
        assert response.status_code == 403
    assert not LedgerTransaction.objects.filter(kind="payout").exists()


def test_members_see_only_their_own_payouts(api, operator, buyer, provider, merchant, owed):
    mine = pay(api, operator, buyer.organisation, "10.00").json()
    theirs = pay(api, operator, provider.organisation, "5.00").json()

    listed = api.as_member(buyer).get(URL).json()
    other = api.as_member(buyer).get(f"{URL}{theirs['id']}/")
    own = api.as_member(buyer).get(f"{URL}{mine['id']}/")
    merchants_view = api.as_member(merchant).get(URL).json()

    assert [row["id"] for row in listed["results"]] == [mine["id"]]
    assert other.status_code == 404
    assert own.json()["amount"] == "10.00"
    assert merchants_view["count"] == 0


def test_operators_list_every_payout_and_filter(api, operator, buyer, provider, merchant, owed):
    with time_machine.travel(at(2026, 10, 10), tick=False):
        pay(api, operator, buyer.organisation, "10.00")
    with time_machine.travel(at(2026, 10, 11), tick=False):
        pay(api, operator, merchant.organisation, "7.50", kind="collection")
    with time_machine.travel(at(2026, 10, 12), tick=False):
        pay(api, operator, provider.organisation, "5.00")

    everything = api.as_member(operator).get(URL).json()
    payments = api.as_member(operator).get(URL, {"kind": "collection"}).json()
    for_buyer = api.as_member(operator).get(URL, {"organisation": buyer.organisation_id}).json()

    assert [(row["organisation_name"], row["amount"]) for row in everything["results"]] == [
        (provider.organisation.name, "5.00"),
        (merchant.organisation.name, "7.50"),
        (buyer.organisation.name, "10.00"),
    ]
    assert [row["kind"] for row in payments["results"]] == ["collection"]
    assert [row["organisation"] for row in for_buyer["results"]] == [buyer.organisation_id]


def test_the_payout_list_is_bounded(
    api, operator, member_factory, merchant, provider, django_assert_max_num_queries
):
    for _ in range(15):
        member = member_factory("buyer")
        settle(
            sale(
                merchant=merchant.organisation,
                buyer=member.organisation,
                provider=provider.organisation,
            ),
            at(2026, 10, 3),
        )
        pay(api, operator, member.organisation, "18.00")

    with django_assert_max_num_queries(4):
        body = api.as_member(operator).get(URL).json()

    assert body["count"] == 15
