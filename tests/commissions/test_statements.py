"""Monthly statements: arithmetic to the fen, Asia/Shanghai months, CSV = JSON, scoping."""

import csv
import io
from decimal import Decimal

import pytest
import time_machine

from commissions.models import Commission, IncentivePayment, IncentiveProgramme
from commissions.services.incentives import pay_incentives
from commissions.services.payouts import record_payment
from commissions.settlement import run_settlement
from commissions.splits import split
from tests.commissions.statements_support import at, balance_before, claw_back, sale, settle
from tests.factories import AffiliateLinkFactory, attributed_line, commission_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/statements/"
NOVEMBER_START = at(2026, 11, 1, 0, 0)


@pytest.fixture
def october(merchant, buyer, provider, operator):
    """September: one 100.00 sale settled. October: 150.00 and 100.00 (at 23:30 on the 31st)
    settled, 50.00 of the 150.00 refunded after settlement, 20.00 paid out to the buyer,
    30.00 paid by the merchant, September's incentives paid. November: one more sale."""
    parties = {
        "merchant": merchant.organisation,
        "buyer": buyer.organisation,
        "provider": provider.organisation,
    }
    september = sale(**parties)
    settle(september, at(2026, 9, 20))
    big, late, november = sale(**parties, amount="150.00"), sale(**parties), sale(**parties)
    programme = IncentiveProgramme.objects.create(
        name="Autumn push", kind="cash", starts_on=at(2026, 9, 1).date()
    )
    programme.tiers.create(min_gmv=Decimal("100.00"), reward=Decimal("50.00"))
    traffic = IncentiveProgramme.objects.create(
        name="Homepage slots", kind="traffic", starts_on=at(2026, 9, 1).date()
    )
    traffic.tiers.create(min_gmv=Decimal("0.00"), reward=Decimal("200.00"))
    with time_machine.travel(at(2026, 10, 2), tick=False):
        pay_incentives(month=at(2026, 9, 1).date())
    settle(big, at(2026, 10, 5, 10))
    claw_back(big, refund="50.00", when=at(2026, 10, 20))
    with time_machine.travel(at(2026, 10, 25), tick=False):
        record_payment(
            organisation_id=buyer.organisation_id,
            kind="payout",
            amount=Decimal("20.00"),
            key="oct-1",
            by=operator,
        )
    with time_machine.travel(at(2026, 10, 26), tick=False):
        record_payment(
            organisation_id=merchant.organisation_id,
            kind="collection",
            amount=Decimal("30.00"),
            key="oct-2",
            by=operator,
        )
    settle(late, at(2026, 10, 31, 23, 30))
    settle(november, at(2026, 11, 1, 0, 10))
    return {"big": big, "late": late, "november": november}


def statement(api, user, month="2026-10", **params):
    response = api.as_member(user).get(URL, {"month": month, **params})
    assert response.status_code == 200, response.content
    return response.json()


def amounts(items):
    return [item["amount"] for item in items]


def test_buyer_statement_adds_up_to_the_fen_and_equals_the_ledger(api, buyer, october):
    body = statement(api, buyer)

    assert body["opening_balance"] == "18.00"
    big, late = october["big"], october["late"]
    assert [
        (item["date"], item["order"], item["sku"], item["base_amount"], item["amount"])
        for item in body["lines"]
    ] == [
        ("2026-10-05", big.order.external_id, big.line.sku, "100.00", "27.00"),
        ("2026-10-31", late.order.external_id, late.line.sku, "100.00", "18.00"),
    ]
    assert amounts(body["clawbacks"]) == ["-9.00"]
    assert amounts(body["payouts"]) == ["-20.00"]
    assert body["payouts"][0]["reference"] == f"payout:{buyer.organisation_id}:oct-1"
    assert body["incentives"] == body["payments"] == body["corrections"] == body["credits"] == []
    assert body["totals"] == {
        "lines": "45.00", "clawbacks": "-9.00", "incentives": "0.00", "payouts": "-20.00",
        "payments": "0.00", "corrections": "0.00", "credits": "0.00",
    }  # fmt: skip
    # 18.00 + 27.00 + 18.00 - 9.00 - 20.00
    assert body["closing_balance"] == "34.00"
    assert Decimal(body["closing_balance"]) == balance_before(buyer.organisation, NOVEMBER_START)
    assert (body["month"], body["start"], body["end"]) == ("2026-10", "2026-10-01", "2026-10-31")


def test_provider_statement_shows_incentives_and_traffic_credits(api, provider, october):
    body = statement(api, provider)

    assert body["opening_balance"] == "9.00"
    assert amounts(body["lines"]) == ["13.50", "9.00"]
    assert amounts(body["clawbacks"]) == ["-4.50"]
    assert [(i["amount"], i["description"]) for i in body["incentives"]] == [
        ("50.00", "Autumn push 2026-09")
    ]
    assert body["credits"] == [
        {"date": "2026-10-02", "programme": "Homepage slots", "month": "2026-09",
         "settled_gmv": "100.00", "credits": "200.00"},
    ]  # fmt: skip
    # 9.00 + 13.50 + 9.00 - 4.50 + 50.00; credits are not money
    assert body["closing_balance"] == "77.00"
    assert Decimal(body["closing_balance"]) == balance_before(provider.organisation, NOVEMBER_START)


def test_merchant_statement_shows_what_it_owes_and_its_payments(api, merchant, october):
    body = statement(api, merchant)

    assert body["opening_balance"] == "-30.00"
    assert amounts(body["lines"]) == ["-45.00", "-30.00"]
    assert amounts(body["clawbacks"]) == ["15.00"]
    assert amounts(body["payments"]) == ["30.00"]
    assert body["closing_balance"] == "-60.00"
    assert Decimal(body["closing_balance"]) == balance_before(merchant.organisation, NOVEMBER_START)


def test_month_boundaries_are_asia_shanghai(api, buyer, october):
    late_order = october["late"].order.external_id  # 2026-10-31 23:30 +08:00 (15:30 UTC)
    november_order = october["november"].order.external_id  # 2026-11-01 00:10 +08:00

    oct_orders = [line["order"] for line in statement(api, buyer, "2026-10")["lines"]]
    nov = statement(api, buyer, "2026-11")

    assert late_order in oct_orders and november_order not in oct_orders
    assert [line["order"] for line in nov["lines"]] == [november_order]
    assert nov["opening_balance"] == "34.00"  # October's closing
    assert nov["closing_balance"] == "52.00"


def test_csv_has_the_same_content_as_json(api, provider, october):
    body = statement(api, provider)
    response = api.as_member(provider).get(URL, {"month": "2026-10", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="statement-{provider.organisation_id}-2026-10.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["section"] == "opening_balance"
    assert rows[0]["amount"] == body["opening_balance"]
    assert rows[-1]["section"] == "closing_balance"
    assert rows[-1]["amount"] == body["closing_balance"]
    for section in ("lines", "clawbacks", "incentives", "payouts", "payments", "corrections"):
        as_csv = [
            {
                key: row[key]
                for key in ("date", "reference", "order", "sku", "amount", "description")
            }
            | {"base_amount": row["base_amount"] or None}
            for row in rows
            if row["section"] == section
        ]
        assert as_csv == body[section], section
    credits = [row for row in rows if row["section"] == "credits"]
    assert [(row["credits"], row["base_amount"]) for row in credits] == [("200.00", "100.00")]


def test_a_chinese_name_survives_the_csv(api, member_factory):
    member = member_factory("buyer")
    member.organisation.name = "云裳买手"
    member.organisation.save()

    response = api.as_member(member).get(URL, {"month": "2026-10", "format": "csv"})

    assert "云裳买手 2026-10" in response.content.decode("utf-8-sig")


def test_default_month_is_last_month_in_shanghai(api, buyer, october):
    # 2026-11-30 16:30 UTC is already 1 December in Shanghai: last month is November.
    with time_machine.travel(at(2026, 12, 1, 0, 30), tick=False):
        body = statement(api, buyer, month="")

    assert body["month"] == "2026-11"


def test_a_member_cannot_read_another_organisations_statement(api, buyer, merchant, october):
    theirs = api.as_member(buyer).get(
        URL, {"month": "2026-10", "organisation": merchant.organisation_id}
    )
    as_csv = api.as_member(buyer).get(
        URL, {"month": "2026-10", "organisation": merchant.organisation_id, "format": "csv"}
    )
    own = statement(api, buyer, organisation=buyer.organisation_id)

    assert theirs.status_code == 404
    assert as_csv.status_code == 404
    assert own["organisation"]["id"] == buyer.organisation_id


def test_an_operator_reads_any_organisations_statement(api, operator, merchant, october):
    body = statement(api, operator, organisation=merchant.organisation_id)
    unknown = api.as_member(operator).get(URL, {"month": "2026-10", "organisation": 999999})
    missing = api.as_member(operator).get(URL, {"month": "2026-10"})

    assert body["organisation"]["id"] == merchant.organisation_id
    assert body["closing_balance"] == "-60.00"
    assert unknown.status_code == 404
    assert missing.status_code == 400
    assert missing.json() == {"organisation": ["Choose the organisation whose statement to show."]}


@pytest.mark.parametrize("month", ["2026-13", "October", "2026-1", "1999-12"])
def test_a_bad_month_names_the_parameter(api, buyer, month):
    response = api.as_member(buyer).get(URL, {"month": month})
    as_csv = api.as_member(buyer).get(URL, {"month": month, "format": "csv"})

    assert response.status_code == 400
    assert response.json() == {"month": ["Give the month as YYYY-MM, for example 2026-10."]}
    assert as_csv.status_code == 400
    assert as_csv["Content-Type"] == "application/json"


def test_a_pending_provider_reads_its_statement(api, pending_provider):
    body = statement(api, pending_provider)

    assert body["opening_balance"] == body["closing_balance"] == "0.00"


def test_anonymous_callers_are_refused(api):
    assert api.get(URL).status_code in (401, 403)


def test_statement_queries_are_bounded(
    api, buyer, merchant, provider, django_assert_max_num_queries
):
    parties = {
        "merchant": merchant.organisation,
        "buyer": buyer.organisation,
        "provider": provider.organisation,
    }
    for day in range(1, 31):
        settle(sale(**parties), at(2026, 10, day))
    api.as_member(buyer)

    with django_assert_max_num_queries(5):
        body = api.get(URL, {"month": "2026-10"}).json()
    with django_assert_max_num_queries(5):
        api.get(URL, {"month": "2026-10", "format": "csv"})

    assert len(body["lines"]) == 30
    assert body["closing_balance"] == "540.00"


def test_statements_and_incentives_read_what_the_settlement_run_posts(api, buyer, provider):
    """The real settlement run (commissions.settlement), a refund after it, and the run again:
    the statement and the settled GMV read its transactions as they are."""
    link = AffiliateLinkFactory(
        buyer=buyer.organisation, enrollment__campaign__provider=provider.organisation
    )
    commission = commission_for(attributed_line(link, paid_at=at(2026, 9, 1)))
    with time_machine.travel(at(2026, 10, 10), tick=False):
        run_settlement(as_of=at(2026, 10, 10).date())
    after = split(
        amount=Decimal("50.00"), commission_rate=commission.commission_rate,
        service_fee_rate=commission.service_fee_rate, platform_rate=commission.platform_rate,
    )  # fmt: skip
    Commission.objects.filter(pk=commission.pk).update(
        base_amount=after.base_amount, buyer_gross=after.buyer_gross, buyer_fee=after.buyer_fee,
        buyer_net=after.buyer_net, provider_gross=after.provider_gross,
        provider_fee=after.provider_fee, provider_net=after.provider_net,
        platform_fee=after.platform_fee, merchant_pays=after.merchant_pays, revision=1,
    )  # fmt: skip
    with time_machine.travel(at(2026, 10, 20), tick=False):
        run_settlement(as_of=at(2026, 10, 20).date())
    programme = IncentiveProgramme.objects.create(
        name="Push", kind="traffic", starts_on=at(2026, 1, 1).date()
    )
    programme.tiers.create(min_gmv=Decimal("50.00"), reward=Decimal("10.00"))

    body = statement(api, buyer)
    pay_incentives(month=at(2026, 10, 1).date())

    assert amounts(body["lines"]) == ["18.00"]
    assert amounts(body["clawbacks"]) == ["-9.00"]
    assert body["lines"][0]["order"] == commission.order.external_id
    assert body["closing_balance"] == "9.00"
    assert Decimal(body["closing_balance"]) == balance_before(buyer.organisation, NOVEMBER_START)
    assert IncentivePayment.objects.get().settled_gmv == Decimal("50.00")
