"""Where a tracked link may send shoppers (DESIGN.md "Storefront URLs", issue 14): https, a
public host name (no IP literal, no private, loopback or link-local name), no credentials, the
standard port; and within the merchant's declared storefront domains when it has declared any.

Checked when a product is saved (API, portal, CSV) and again when ``/l/<code>`` looks a link
up, so an address stored before a rule, or left outside domains declared since, is not
followed. The name is judged, not what it resolves to: shoppers' browsers follow the redirect,
our servers never fetch it, and a lookup here would prove nothing about tomorrow's answer.
"""

import ipaddress
import re
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from merchants.models import StorefrontDomain

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
NUMERIC = re.compile(r"^(?:\d+|0x[0-9a-f]*)$")
TOP_LEVEL = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
# Names that never lead to the public internet (RFC 6761, RFC 6762, RFC 8375 and habit).
PRIVATE_SUFFIXES = ("localhost", "local", "internal", "intranet", "lan", "home.arpa", "corp",
                    "private", "localdomain", "invalid", "test", "onion")  # fmt: skip


def host_of(url: str) -> str:
    """The lower-case ASCII host name of ``url`` ("" when there is none)."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host.lower()


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def host_problem(host: str) -> str:
    if not host or is_ip_literal(host):
        return _("Use the shop's host name, not an IP address.")
    labels = host.rstrip(".").split(".")
    if NUMERIC.match(labels[-1]):
        # all-digit or hex "names" (2130706433, 0x7f.1) are addresses in disguise
        return _("Use the shop's host name, not an IP address.")
    if len(labels) < 2 or len(host) > 253 or not all(LABEL.match(label) for label in labels):
        return _("Use a public host name such as shop.example.com.")
    if not TOP_LEVEL.match(labels[-1]):
        return _("Use a public host name such as shop.example.com.")
    name = ".".join(labels)
    if any(name == suffix or name.endswith("." + suffix) for suffix in PRIVATE_SUFFIXES):
        return _("Use a public host name: %s is a local or private name.") % name
    return ""


def url_problem(url: str) -> str:
    """ "" when ``url`` may be a storefront address whatever the merchant; else what is wrong."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return _("Enter a full web address starting with https://.")
    if parts.scheme.lower() != "https":
        return _("Storefront addresses start with https://.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return _("A storefront address cannot carry a user name or password.")
    if port not in (None, 443):
        return _("A storefront address uses the standard HTTPS port.")
    return host_problem(host_of(url))


def within(host: str, domains: list[str]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def declared_domains(merchant_id: int) -> list[str]:
    return list(
        StorefrontDomain.objects.filter(merchant_id=merchant_id).values_list("domain", flat=True)
    )


def domain_problem(url: str, domains: list[str]) -> str:
    if not domains or within(host_of(url), domains):
        return ""
    return _("The address must be on one of your storefront domains: %s.") % ", ".join(
        sorted(domains)
    )


def storefront_problem(url: str, *, merchant_id: int, domains: list[str] | None = None) -> str:
    """Every rule: "" when shoppers may be sent to ``url`` for this merchant."""
    problem = url_problem(url)
    if problem:
        return problem
    return domain_problem(url, declared_domains(merchant_id) if domains is None else domains)


def moved_host(old_url: str, new_url: str) -> bool:
    """Another host (not only another page of the same shop): review it again."""
    return host_of(old_url) != host_of(new_url)
