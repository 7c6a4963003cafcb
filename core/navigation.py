"""The portal's navigation per role. Later apps add their entries here."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import OPERATOR, Role

MEMBERS = (Role.MERCHANT, Role.BUYER, Role.PROVIDER)


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: tuple[str, ...]


ENTRIES = [
    NavEntry(_("Home"), "home", (*MEMBERS, OPERATOR)),
    NavEntry(_("Organisation"), "organisation", MEMBERS),
    NavEntry(_("Browse"), "catalogue", (Role.BUYER,)),
    NavEntry(_("Livestreams"), "livestreams", (Role.BUYER,)),
    NavEntry(_("Samples"), "samples", MEMBERS),
    NavEntry(_("Profile"), "buyer-profile", (Role.BUYER,)),
    NavEntry(_("Products"), "merchant-products", (Role.MERCHANT,)),
    NavEntry(_("Campaigns"), "campaigns", MEMBERS),
    NavEntry(_("My enrollments"), "enrollments", (Role.MERCHANT,)),
    NavEntry(_("Review queue"), "enrollment-review", (Role.PROVIDER,)),
    NavEntry(_("Change requests"), "change-requests", (Role.MERCHANT, Role.PROVIDER)),
    NavEntry(_("Buyer roster"), "roster:index", (Role.PROVIDER,)),
    NavEntry(_("Assortments"), "assortments:index", (Role.PROVIDER,)),
    NavEntry(_("Service providers"), "roster:index", (Role.BUYER,)),
    NavEntry(_("Shared assortments"), "assortments:index", (Role.BUYER,)),
    NavEntry(_("Providers to approve"), "operator-providers", (OPERATOR,)),
    NavEntry(_("Admin"), "admin:index", (OPERATOR,)),
    NavEntry(_("API docs"), "api-docs", (*MEMBERS, OPERATOR)),
]


def entries_for(role: str | None, current_path: str) -> list[dict]:
    items = []
    for entry in ENTRIES:
        if role in entry.roles:
            url = reverse(entry.url_name)
            active = current_path == url if url == "/" else current_path.startswith(url)
            items.append({"label": entry.label, "url": url, "active": active})
    return items
