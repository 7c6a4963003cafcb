"""Retake the README's screenshots from the demo (`bin/serve` on a fresh database), with
Playwright driving the system's Chromium: `bin/screenshots [base URL]`."""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "demo-pass-2026"  # noqa: S105 (the documented demo password)
FOLDER = Path(__file__).resolve().parent / "screenshots"
SHOTS = {
    "provider": [("provider-home", "/"), ("provider-review-queue", "/enrollments/review/")],
    "buyer": [
        ("buyer-catalogue", "/catalogue/"),
        ("buyer-dashboard", "/dashboard/"),
        ("buyer-statement", "/statements/"),
    ],
    "merchant": [("merchant-dashboard", "/dashboard/"), ("merchant-home", "/")],
    "operator": [("operator-home", "/")],
}
PHONE_SHOTS = {
    "buyer": [("phone-buyer-catalogue", "/catalogue/"), ("phone-buyer-links", "/links/")]
}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def main(base_url: str) -> None:
    chromium = shutil.which("chromium") or sys.exit("Install Chromium: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        screens = [(username, shots, DESKTOP) for username, shots in SHOTS.items()]
        screens += [(username, shots, PHONE) for username, shots in PHONE_SHOTS.items()]
        for username, shots, device in screens:
            context = browser.new_context(base_url=base_url, locale="en-GB", **device)
            page = context.new_page()
            page.goto("/accounts/login/")
            page.fill("#id_login", username)
            page.fill("#id_password", PASSWORD)
            page.locator("form[action='/accounts/login/'] button[type=submit]").click()
            page.wait_for_url("**/")
            for name, path in shots:
                page.goto(path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(FOLDER / f"{name}.png"))
                print(f"{name}.png  {path}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
