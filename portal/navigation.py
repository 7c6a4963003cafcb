"""The portal's navigation per role. Later apps add their entries here."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import MEMBERS, OPERATOR, Role


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: tuple[str, ...]
    secondary: bool = False


ENTRIES = [
    NavEntry(_("Home"), "home", (*MEMBERS, OPERATOR)),
    NavEntry(_("Dashboard"), "dashboard", MEMBERS),
    # merchants
    NavEntry(_("Products"), "merchant-products", (Role.MERCHANT,)),
    NavEntry(_("Campaigns"), "campaigns", MEMBERS),
    NavEntry(_("My enrollments"), "enrollments", (Role.MERCHANT,)),
    # providers
    NavEntry(_("Review queue"), "enrollment-review", (Role.PROVIDER,)),
    NavEntry(_("Change requests"), "change-requests", (Role.MERCHANT, Role.PROVIDER)),
    NavEntry(_("Assortments"), "assortments:index", (Role.PROVIDER,)),
    NavEntry(_("Buyer roster"), "roster:index", (Role.PROVIDER,)),
    NavEntry(_("Recommendations"), "recommendations:for-buyer", (Role.PROVIDER,)),
    NavEntry(_("Proposals"), "proposals:index", (Role.PROVIDER,)),
    # buyers
    NavEntry(_("Browse"), "catalogue", (Role.BUYER,)),
    NavEntry(_("Shared assortments"), "assortments:index", (Role.BUYER,)),
    NavEntry(_("Proposals"), "proposals:index", (Role.BUYER,)),
    NavEntry(_("Livestreams"), "livestreams", (Role.BUYER,)),
    NavEntry(_("Links"), "links", (Role.BUYER,)),
    NavEntry(_("Samples"), "samples", MEMBERS),
    NavEntry(_("Orders"), "orders:index", MEMBERS),
    NavEntry(_("Commissions"), "commissions", MEMBERS),
    NavEntry(_("Statements"), "statements", MEMBERS),
    NavEntry(_("Service providers"), "roster:index", (Role.BUYER,)),
    # operators
    NavEntry(_("Providers to approve"), "operator-providers", (OPERATOR,)),
    NavEntry(_("Payouts"), "operator-payouts", (OPERATOR,)),
    NavEntry(_("Settlements"), "settlements:index", (OPERATOR,)),
    NavEntry(_("Admin"), "admin:index", (OPERATOR,)),
    # the account menu, top right
    NavEntry(_("Profile"), "buyer-profile", (Role.BUYER,), secondary=True),
    NavEntry(_("Organisation"), "organisation", MEMBERS, secondary=True),
    NavEntry(_("API docs"), "api-docs", (*MEMBERS, OPERATOR), secondary=True),
]


def entries_for(role: str | None, current_path: str) -> list[dict]:
    items = []
    for entry in ENTRIES:
        if role in entry.roles:
            url = reverse(entry.url_name)
            active = current_path == url if url == "/" else current_path.startswith(url)
            items.append(
                {"label": entry.label, "url": url, "active": active, "secondary": entry.secondary}
            )
    return items
