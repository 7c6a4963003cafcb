"""The marketplace as its people use it, in a real browser against a live server.

A service provider signs up and is approved by the operator, opens a campaign; a merchant
signs up, lists a product in the portal and more by CSV, enrolls one; the provider approves
the enrollment, builds an assortment and invites a buyer; the buyer accepts, plans a
livestream lineup, requests a sample and gets its links; the merchant approves and ships the
sample; a shopper clicks the link and the storefront reports the order; every dashboard
shows it; the operator runs settlement and each party's statement has the line.
"""

import json
import time
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from commissions import tasks
from commissions.services.webhooks import signature_header
from tests.commissions.orders_support import WEBHOOK_URL, event, line

PASSWORD = "journey-pass-2026"
PHONE_BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)

pytestmark = pytest.mark.django_db(transaction=True)


def sign_up(page, *, role: str, username: str, organisation: str) -> None:
    page.goto("/accounts/signup/")
    page.fill("#id_email", f"{username}@example.com")
    page.fill("#id_username", username)
    page.select_option("#id_role", role)
    page.fill("#id_organisation", organisation)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/")


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url("**/")


def csv_file(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def choose(page, select: str, containing: str) -> None:
    """Pick the option whose label contains the text (labels carry extra detail)."""
    option = page.locator(f"{select} option", has_text=containing).first
    page.select_option(select, value=option.get_attribute("value"))


def storefront(route) -> None:
    """The storefront the link leads to (machines here have no internet)."""
    route.fulfill(status=200, content_type="text/html", body="<h1>Red wool dress</h1>")


def storefront_webhook(server_url: str, body: dict) -> int:
    """POST an order event the way the storefront does: signed, over HTTP."""
    raw = json.dumps(body).encode()
    header = signature_header(
        body=raw, timestamp=int(time.time()), secret=settings.ORDER_WEBHOOK_SECRET
    )
    request = urllib.request.Request(  # noqa: S310 (the live server's own http:// address)
        server_url + WEBHOOK_URL, data=raw, method="POST",
        headers={"Content-Type": "application/json", "X-Signature": header},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
        return response.status


def expect_figure(page, name: str, value: str) -> None:
    """A dashboard's big figure, exactly."""
    expect(page.locator(f"#dashboard-body [data-figure={name}]")).to_have_text(value)


def expect_text(page, text: str) -> None:
    page.get_by_text(text, exact=False).first.wait_for()


def test_a_product_goes_from_listing_to_a_paid_order(new_page, journey_server, screens, operator):
    today = timezone.localdate()
    operator.set_password(PASSWORD)
    operator.save()

    # The provider signs up and waits for the operator.
    provider = new_page()
    sign_up(provider, role="provider", username="pete", organisation="Pete Selects")
    screens.shoot(provider, "provider-pending")
    expect_text(provider, "Pending")

    desk = new_page()
    log_in(desk, operator.username)
    desk.goto("/operator/providers/")
    desk.get_by_role("row", name="Pete Selects").get_by_role("button", name="Approve").click()
    expect_text(desk, "approved")
    screens.shoot(desk, "operator-approved-provider")

    # The provider opens a campaign for dresses.
    provider.goto("/campaigns/new/")
    provider.fill("#id_name", "Winter dresses")
    provider.get_by_label("Dresses").check()
    provider.fill("#id_registration_start", today.isoformat())
    provider.fill("#id_registration_end", (today + timedelta(days=14)).isoformat())
    provider.fill("#id_promotion_start", today.isoformat())
    provider.fill("#id_promotion_end", (today + timedelta(days=30)).isoformat())
    provider.fill("#id_min_commission_rate", "10")
    provider.fill("#id_service_fee_rate", "10")
    provider.fill("#id_settlement_delay_days", "0")  # no return window: settles the same day
    provider.get_by_role("button", name="Save").click()
    screens.shoot(provider, "provider-campaign")
    provider.get_by_role("button", name="Open for registration").click()
    expect_text(provider, "merchants can enroll now")

    # The merchant signs up, lists a dress by hand and two more by CSV, and enrolls it.
    merchant = new_page()
    sign_up(merchant, role="merchant", username="mia", organisation="Mia Fashion")
    merchant.goto("/products/new/")
    merchant.fill("#id_sku", "DRESS-RED-M")
    merchant.fill("#id_title", "红色羊毛连衣裙 Red wool dress")
    merchant.select_option("#id_category", label="Dresses")
    merchant.fill("#id_brand", "Mia")
    merchant.fill("#id_price", "299.00")
    merchant.fill("#id_stock", "120")
    merchant.fill("#id_sample_stock", "3")
    merchant.fill("#id_storefront_url", "https://shop.example.com/dress-red-m")
    merchant.select_option("#id_status", "active")
    merchant.get_by_role("button", name="Save").click()
    expect_text(merchant, "DRESS-RED-M")
    screens.shoot(merchant, "merchant-product-listed")

    header = "sku,title,category,price,stock,sample_stock,storefront_url,status\n"
    bad = header + (
        "SCARF-1,Silk scarf,Scarves,89.00,40,2,https://shop.example.com/scarf,active\n"
        "SCARF-2,,Scarves,-5,40,2,not a url,active\n"
    )
    merchant.goto("/products/import/")
    merchant.set_input_files("#id_file", files=[csv_file("products.csv", bad)])
    merchant.get_by_role("button", name="Upload").click()
    expect_text(merchant, "nothing was imported")
    screens.shoot(merchant, "merchant-csv-rejected")
    good = header + (
        "SCARF-1,Silk scarf,Scarves,89.00,40,2,https://shop.example.com/scarf,active\n"
        "SCARF-2,Wool scarf,Scarves,129.00,25,2,https://shop.example.com/scarf-2,active\n"
    )
    merchant.set_input_files("#id_file", files=[csv_file("products.csv", good)])
    merchant.get_by_role("button", name="Upload").click()
    expect_text(merchant, "2 created, 0 updated")
    screens.shoot(merchant, "merchant-csv-imported")

    merchant.goto("/enrollments/new/")
    choose(merchant, "#id_campaign", "Winter dresses")
    choose(merchant, "#id_product", "DRESS-RED-M")
    # The campaign's terms and the product's price and stock are filled in as a start.
    expect(merchant.locator("#id_commission_rate")).to_have_value("10")
    expect(merchant.locator("#id_service_fee_rate")).to_have_value("10")
    expect(merchant.locator("#id_campaign_price")).to_have_value("299.00")
    expect(merchant.locator("#id_promotion_stock")).to_have_value("120")
    merchant.fill("#id_commission_rate", "20")
    merchant.fill("#id_campaign_price", "259.00")
    merchant.fill("#id_promotion_stock", "100")
    merchant.get_by_role("button", name="Enroll").click()
    expect_text(merchant, "Pending")
    screens.shoot(merchant, "merchant-enrolled")

    # The provider approves the enrollment and invites a buyer, who accepts.
    provider.goto("/enrollments/review/")
    provider.get_by_role("row", name="DRESS-RED-M").get_by_role("button", name="Approve").click()
    expect_text(provider, "DRESS-RED-M approved.")
    buyer = new_page()
    sign_up(buyer, role="buyer", username="bella", organisation="Bella Live")
    provider.goto("/roster/")
    provider.fill("#buyer-search", "Bella")
    provider.get_by_role("button", name="Invite Bella Live").click()
    expect_text(provider, "Bella Live is invited")
    screens.shoot(provider, "provider-invited-buyer")
    buyer.goto("/roster/")
    buyer.get_by_role("row", name="Pete Selects").get_by_role("button", name="Accept").click()
    expect_text(buyer, "Active")
    screens.shoot(buyer, "buyer-joined-roster")

    # The provider builds an assortment with the dress and shares it with the buyer.
    provider.goto("/assortments/")
    provider.get_by_label("Name").fill("Winter picks for Bella")
    provider.get_by_role("button", name="Create").click()
    choose(provider, "#enrollment-select", "DRESS-RED-M")
    provider.fill("#new-item-note", "Best seller in red, size M")
    provider.get_by_role("button", name="Add", exact=True).click()
    expect_text(provider, "Item added.")
    assert provider.get_by_label("Note for 红色羊毛连衣裙 Red wool dress").input_value() == (
        "Best seller in red, size M"
    )
    provider.get_by_label("Bella Live").check()
    provider.get_by_role("button", name="Save sharing").click()
    screens.shoot(provider, "provider-assortment")

    # The buyer plans a livestream, puts the dress in its lineup, asks for a sample and
    # gets the tracked link.
    buyer.goto("/livestreams/")
    buyer.get_by_label("Title").fill("Friday winter special")
    starts = timezone.localtime() + timedelta(days=3)
    buyer.get_by_label("Starts at").fill(starts.strftime("%Y-%m-%dT20:00"))
    buyer.get_by_role("button", name="Create").click()
    buyer.goto("/catalogue/")
    dress = buyer.locator("article", has_text="Red wool dress")
    expect_text(dress, "¥51.80")  # 20 % of the 259.00 campaign price
    dress.get_by_role("button", name="Add to lineup").click()
    expect_text(buyer, "Friday winter special")
    buyer.goto("/catalogue/")
    dress.get_by_role("button", name="Request a sample").click()
    expect_text(dress, "requested")
    screens.shoot(buyer, "buyer-catalogue")
    buyer.goto("/livestreams/")
    buyer.get_by_role("link", name="Friday winter special").click()
    buyer.get_by_role("button", name="Generate links").click()
    tracked = buyer.get_by_label("Tracked link").first.input_value()
    assert "/l/" in tracked
    screens.shoot(buyer, "buyer-lineup-with-links")

    # The merchant approves the sample request and ships it.
    merchant.goto("/samples/")
    request_row = merchant.get_by_role("row", name="Bella Live")
    request_row.get_by_role("button", name="Approve").click()
    request_row = merchant.get_by_role("row", name="Bella Live")
    request_row.get_by_label("Carrier").fill("SF Express")
    request_row.get_by_label("Tracking number").fill("SF1234567890")
    request_row.get_by_role("button", name="Ship").click()
    expect_text(merchant, "SF1234567890")
    screens.shoot(merchant, "merchant-sample-shipped")
    buyer.goto("/samples/")
    expect_text(buyer.get_by_role("row", name="Red wool dress"), "Shipped")

    # A shopper follows the link to the storefront, which reports the order.
    shopper = new_page(user_agent=PHONE_BROWSER)
    shopper.route("https://shop.example.com/**", storefront)
    # Chromium does not let a test intercept a redirect's target, so the shopper's browser
    # asks for the link itself, then goes where the 302 says.
    redirect = shopper.request.get(tracked, max_redirects=0)
    assert redirect.status == 302
    shopper.goto(redirect.headers["location"])
    assert shopper.url.startswith("https://shop.example.com/dress-red-m")
    click_id = parse_qs(urlparse(shopper.url).query)["click_id"][0]
    tasks.flush_click_stream()  # the beat's job: clicks buffered in Redis reach the database
    for number, kind in enumerate(("paid", "confirmed"), start=1):
        body = event(f"evt-{number}", kind, "SHOP-8801", [line("DRESS-RED-M", "259.00")],
                     click_id=click_id)  # fmt: skip
        assert storefront_webhook(journey_server.url, body) in (200, 201)
    tasks.retry_unattributed_lines()

    # Everyone sees it: 259.00 paid; 20 % commission (51.80) and 10 % service fee (25.90)
    # paid by the merchant, the platform keeps 10 % of each.
    buyer.goto("/dashboard/")
    expect_figure(buyer, "gmv", "¥259.00")
    expect_figure(buyer, "orders", "1")
    expect_figure(buyer, "clicks", "1")
    expect_figure(buyer, "estimated", "¥46.62")
    screens.shoot(buyer, "buyer-dashboard")
    merchant.goto("/dashboard/")
    expect_figure(merchant, "gmv", "¥259.00")
    expect_figure(merchant, "estimated", "¥77.70")
    screens.shoot(merchant, "merchant-dashboard")
    provider.goto("/dashboard/")
    expect_figure(provider, "gmv", "¥259.00")
    expect_figure(provider, "estimated", "¥23.31")
    screens.shoot(provider, "provider-dashboard")
    merchant.goto("/orders/")
    expect_text(merchant.get_by_role("row", name="SHOP-8801"), "Bella Live")
    screens.shoot(merchant, "merchant-orders")

    # The operator settles; each party's statement for this month shows the line.
    desk.goto("/operator/settlements/")
    desk.get_by_role("button", name="Run settlement").click()
    run = desk.locator("table.settlements-runs tbody tr").first
    expect(run).to_contain_text("Succeeded")
    expect(run).to_contain_text("1 of 1 lines")
    screens.shoot(desk, "operator-settlement-run")
    month = timezone.localdate().strftime("%Y-%m")
    for person, amount in ((buyer, "46.62"), (provider, "23.31"), (merchant, "-77.70")):
        person.goto(f"/statements/?month={month}")
        expect(person.get_by_role("row", name="SHOP-8801")).to_contain_text(amount)
    screens.shoot(buyer, "buyer-statement")
    buyer.goto("/dashboard/")
    expect_figure(buyer, "settled", "¥46.62")
