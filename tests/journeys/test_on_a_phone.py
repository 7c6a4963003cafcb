"""Livestream sellers, and often merchants and group leaders too, work from their phones.
On a 390-pixel phone screen, with the demo's data (long tables, real names), no page of any
role's navigation scrolls sideways: wide tables scroll inside their card, and the navigation
is one swipeable row that shows where you are."""

import pytest
from django.core.management import call_command

from core.demo.data import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 390
PHONE = {"viewport": {"width": WIDTH, "height": 844}, "is_mobile": True, "has_touch": True}
# Against the screen's width: a phone browser widens its layout to fit what overflows.
SIDEWAYS = "width => document.documentElement.scrollWidth - width"
ACTIVE_ENTRY_SHOWN = """width => {
  const entry = document.querySelector('.nav a.active');
  if (!entry) return true;
  const box = entry.getBoundingClientRect();
  return box.left >= 0 && box.right <= width;
}"""


@pytest.fixture
def demo(journey_server):
    call_command("seed_demo", verbosity=0)


@pytest.mark.parametrize("username", ["buyer", "merchant", "provider"])
def test_no_page_scrolls_sideways_on_a_phone(new_page, screens, demo, username):
    page = new_page(**PHONE)
    page.goto("/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url("**/")
    paths = page.eval_on_selector_all(".nav a", "links => links.map(a => a.getAttribute('href'))")
    assert len(paths) >= 8

    too_wide, lost = {}, []
    for path in paths:
        page.goto(path)
        if (extra := page.evaluate(SIDEWAYS, WIDTH)) > 0:
            too_wide[path] = extra
            screens.shoot(page, f"too-wide-{path.strip('/').replace('/', '-') or 'home'}")
        if not page.evaluate(ACTIVE_ENTRY_SHOWN, WIDTH):
            lost.append(path)

    assert too_wide == {}, "pixels of sideways scrolling per page"
    assert lost == [], "pages whose navigation entry is out of sight"
    page.goto(paths[-1])
    screens.shoot(page, f"{username}-last-page")
