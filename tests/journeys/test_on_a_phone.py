"""Livestream sellers, and often merchants and group leaders too, work from their phones.
On a 390-pixel phone screen, with the demo's data (long tables, real names), no page of any
role's navigation scrolls sideways: the tables people act on show one card per row (class
``stack-on-phone``) and fit their container, other wide tables scroll inside their card, and the
navigation is one swipeable row that shows where you are."""

import pytest
from django.core.management import call_command

from portal.demo.data import DEMO_PASSWORD

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
# Pixels by which each table shown as cards is wider than its container: nothing in a card
# (a long name, a form) may push it out.
CARDS_TOO_WIDE = """() => [...document.querySelectorAll('table.stack-on-phone')]
  .map(table => table.scrollWidth - table.parentElement.clientWidth)
  .filter(extra => extra > 1)"""
# Rows with labelled cells, so that a page of empty tables does not pass for a page of cards.
CARD_ROWS = "() => document.querySelectorAll('table.stack-on-phone tr:has(td[data-label])').length"
# A page per role that shows cards with the demo's data: the width check is not vacuous.
CARDS_EXPECTED = {"buyer /orders/", "merchant /products/", "provider /roster/"}


ROLES = ("buyer", "merchant", "provider")


def pages_of(page, username: str) -> list[str]:
    page.goto("/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url("**/")
    return page.eval_on_selector_all(".nav a", "links => links.map(a => a.getAttribute('href'))")


def test_no_page_scrolls_sideways_on_a_phone(new_page, journey_server, screens):
    call_command("seed_demo", verbosity=0)  # once for the three roles: it takes seconds
    too_wide, lost, cards_too_wide, cards_shown = {}, [], {}, set()
    for username in ROLES:
        page = new_page(**PHONE)
        paths = pages_of(page, username)
        assert len(paths) >= 8, username
        for path in paths:
            page.goto(path)
            where, shot = f"{username} {path}", f"{username}-{path.strip('/').replace('/', '-')}"
            if (extra := page.evaluate(SIDEWAYS, WIDTH)) > 0:
                too_wide[where] = extra
                screens.shoot(page, f"too-wide-{shot}")
            if not page.evaluate(ACTIVE_ENTRY_SHOWN, WIDTH):
                lost.append(where)
            if extras := page.evaluate(CARDS_TOO_WIDE):
                cards_too_wide[where] = extras
                screens.shoot(page, f"cards-too-wide-{shot}")
            if page.evaluate(CARD_ROWS):
                cards_shown.add(where)
            if where in CARDS_EXPECTED:
                screens.shoot(page, f"cards-{shot}")
        screens.shoot(page, f"{username}-last-page")

    assert too_wide == {}, "pixels of sideways scrolling per page"
    assert lost == [], "pages whose navigation entry is out of sight"
    assert cards_too_wide == {}, "pixels by which tables shown as cards overflow, per page"
    assert CARDS_EXPECTED - cards_shown == set(), "pages that show no cards"
