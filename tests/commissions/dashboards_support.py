"""A small marketplace for the dashboard tests (no tests here), frozen on 2026-11-20 (Shanghai).

Merchant M (the ``merchant`` fixture) sells P1 and P2. Provider V (``provider``) runs
campaign C1 with both; provider W runs C2, which re-offers V's P1 enrollment as a second
level (V upstream) and has P2 directly. Buyer B (``buyer``) promotes P1 and P2 in C1;
buyer B2 promotes P1 in C1, P1 through C2 (second level) and P2 in C2. An outsider
marketplace (merchant, provider, buyer of their own) sells a lot on the same days.

The figures every test expects, from 2026-11-01 to 2026-11-20, are in EXPECTED.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, Role
from commissions import ledger
from commissions.models import Account, AffiliateLink, Click, Commission, LedgerTransaction
from commissions.splits import split
from tests.factories import (
    AffiliateLinkFactory,
    CampaignFactory,
    EnrollmentFactory,
    OrganisationFactory,
    ProductFactory,
    attributed_line,
    commission_for,
)

ZONE = timezone.get_current_timezone()
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=ZONE)
RANGE = {"from": "2026-11-01", "to": "2026-11-20"}
D = Decimal


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


@dataclass
class Marketplace:
    merchant: Organisation
    provider: Organisation
    buyer: Organisation
    second_buyer: Organisation
    second_provider: Organisation
    outsider_buyer: Organisation
    links: dict[str, AffiliateLink]
    products: dict[str, object]
    campaigns: dict[str, object]


def clicks(link: AffiliateLink, when: datetime, counted: int, bots: int = 0, repeats: int = 0):
    flags = [{}] * counted + [{"is_bot": True}] * bots + [{"is_duplicate": True}] * repeats
    for n, flag in enumerate(flags):
        Click.objects.create(
            link=link, click_id=f"{link.code}-{when:%m%d%H%M}-{n}", clicked_at=when,
            ip_hash=f"ip-{n}", **flag,
        )  # fmt: skip


def settle(commission: Commission, *, posted_on: Decimal | None = None) -> Commission:
    """Settle as settlement would: post the split (of ``posted_on`` when a refund came after
    settlement) to the ledger and keep the posted figures on the row."""
    rates = commission.enrollment
    figures = split(
        amount=posted_on if posted_on is not None else commission.base_amount,
        commission_rate=rates.commission_rate, service_fee_rate=rates.service_fee_rate,
        platform_rate=commission.platform_rate,
    )  # fmt: skip
    ledger.post(
        kind=LedgerTransaction.Kind.SETTLEMENT,
        reference=f"settlement:{commission.pk}",
        commission=commission,
        at=commission.earned_at,
        entries=[
            (ledger.account_for(commission.merchant, Account.Kind.MERCHANT_PAYABLE),
             -figures.merchant_pays),
            (ledger.account_for(commission.buyer, Account.Kind.BUYER_EARNINGS), figures.buyer_net),
            (ledger.account_for(commission.provider, Account.Kind.PROVIDER_FEES),
             figures.provider_net),
            (ledger.account_for(None, Account.Kind.PLATFORM_REVENUE), figures.platform_fee),
        ],
    )  # fmt: skip
    Commission.objects.filter(pk=commission.pk).update(
        status=Commission.Status.SETTLED, settled_at=commission.earned_at,
        posted_buyer_net=figures.buyer_net, posted_provider_net=figures.provider_net,
        posted_platform_fee=figures.platform_fee, posted_merchant_pays=figures.merchant_pays,
        posted_revision=1,
    )  # fmt: skip
    commission.refresh_from_db()
    return commission


def second_level_commission(line, *, status: str) -> Commission:
    """A second-level line: the buyer's commission, the second level's rate, the upstream
    provider (the first level) keeps the rest of its fee."""
    enrollment = line.link.enrollment
    first = enrollment.parent
    figures = split(
        amount=line.amount - line.refunded_amount, commission_rate=enrollment.commission_rate,
        service_fee_rate=first.service_fee_rate, platform_rate=D("0.1000"),
        second_level_rate=enrollment.service_fee_rate,
    )  # fmt: skip
    return Commission.objects.create(
        line=line, order=line.order, enrollment=enrollment, merchant=first.product.merchant,
        buyer=line.link.buyer, provider=enrollment.campaign.provider,
        upstream_provider=first.campaign.provider, status=status,
        base_amount=figures.base_amount, commission_rate=enrollment.commission_rate,
        service_fee_rate=first.service_fee_rate, upstream_fee_rate=enrollment.service_fee_rate,
        platform_rate=D("0.1000"), buyer_gross=figures.buyer_gross, buyer_fee=figures.buyer_fee,
        buyer_net=figures.buyer_net, provider_gross=figures.provider_gross,
        provider_fee=figures.provider_fee, provider_net=figures.provider_net,
        upstream_gross=figures.upstream_gross, upstream_fee=figures.upstream_fee,
        upstream_net=figures.upstream_net, platform_fee=figures.platform_fee,
        merchant_pays=figures.merchant_pays, earned_at=line.order.paid_at,
    )  # fmt: skip


def organisations(merchant, provider, buyer) -> dict:
    return {
        "M": merchant, "V": provider, "B": buyer,
        "B2": OrganisationFactory(role=Role.BUYER, name="Second buyer"),
        "W": OrganisationFactory(role=Role.PROVIDER, name="Second provider"),
    }  # fmt: skip


def catalogue(orgs: dict) -> tuple[dict, dict, dict]:
    p1 = ProductFactory(merchant=orgs["M"], sku="P1", title="Silk scarf")
    p2 = ProductFactory(merchant=orgs["M"], sku="P2", title="Linen dress")
    c1 = CampaignFactory(provider=orgs["V"], name="Autumn silk")
    c2 = CampaignFactory(provider=orgs["W"], name="Winter picks")
    e1 = EnrollmentFactory(campaign=c1, product=p1, status="approved")  # 20 % / 10 %
    e2 = EnrollmentFactory(
        campaign=c1, product=p2, status="approved",
        commission_rate=D("0.2500"), service_fee_rate=D("0.1200"),
    )  # fmt: skip
    e3 = EnrollmentFactory(
        campaign=c2, product=p1, parent=e1, status="approved", service_fee_rate=D("0.0400")
    )
    e4 = EnrollmentFactory(campaign=c2, product=p2, status="approved")  # 20 % / 10 %
    links = {
        "L1": AffiliateLinkFactory(buyer=orgs["B"], enrollment=e1),
        "L2": AffiliateLinkFactory(buyer=orgs["B"], enrollment=e2),
        "L3": AffiliateLinkFactory(buyer=orgs["B2"], enrollment=e1),
        "L4": AffiliateLinkFactory(buyer=orgs["B2"], enrollment=e3),
        "L6": AffiliateLinkFactory(buyer=orgs["B2"], enrollment=e4),
    }
    return links, {"P1": p1, "P2": p2}, {"C1": c1, "C2": c2}


def record_clicks(links: dict) -> None:
    clicks(links["L1"], at(11, 10, 9), counted=2, bots=1, repeats=1)
    clicks(links["L1"], at(11, 11, 9), counted=1)
    clicks(links["L1"], at(10, 1), counted=3)  # before the range
    clicks(links["L2"], at(11, 12, 9), counted=1, bots=2)
    clicks(links["L3"], at(11, 12, 10), counted=2, repeats=3)
    clicks(links["L4"], at(11, 13, 10), counted=1, bots=1)
    clicks(links["L6"], at(11, 14, 10), counted=1)


def record_sales(links: dict) -> None:
    def line(name, amount, when, refunded="0.00", status="confirmed"):
        return attributed_line(
            links[name], amount=amount, refunded=refunded, status=status, paid_at=when
        )

    # 00:30 in Shanghai on the 11th is still the 10th in UTC: it belongs to the 11th.
    commission_for(line("L1", "100.00", at(11, 11, 0, 30)))
    commission_for(line("L1", "59.90", at(11, 11, 14), refunded="20.10"), status="settleable")
    commission_for(line("L1", "300.00", at(11, 11, 15), status="cancelled"), status="void")
    # Settled on 200.00, then 50.00 refunded: the clawback is not posted yet.
    settle(commission_for(line("L2", "200.00", at(11, 12, 20), refunded="50.00")),
           posted_on=D("200.00"))  # fmt: skip
    commission_for(line("L3", "50.00", at(11, 12, 21)))
    second_level_commission(line("L4", "100.00", at(11, 13, 11)), status="settleable")
    commission_for(line("L6", "40.00", at(11, 14, 11)))
    commission_for(line("L1", "80.00", at(10, 5)))  # before the range


def outsider_marketplace() -> Organisation:
    """Another merchant, provider and buyer selling on the same days: never in our figures."""
    link = AffiliateLinkFactory(enrollment__product__sku="X1")
    clicks(link, at(11, 12, 8), counted=5)
    settle(commission_for(attributed_line(link, amount="998.00", paid_at=at(11, 12, 8))))
    commission_for(attributed_line(link, amount="500.00", paid_at=at(11, 13, 8)))
    return link.buyer


def build_marketplace(*, merchant, provider, buyer) -> Marketplace:
    orgs = organisations(merchant, provider, buyer)
    links, products, campaigns = catalogue(orgs)
    record_clicks(links)
    record_sales(links)
    return Marketplace(
        merchant=orgs["M"], provider=orgs["V"], buyer=orgs["B"], second_buyer=orgs["B2"],
        second_provider=orgs["W"], outsider_buyer=outsider_marketplace(), links=links,
        products=products, campaigns=campaigns,
    )  # fmt: skip


# 2026-11-01..20. Lines: L1 100.00 (est.) + 39.80 (settleable) [+ 300.00 cancelled, void];
# L2 150.00 (settled on 200.00); L3 50.00 (est.); L4 100.00 second level (settleable);
# L6 40.00 (est.).
EXPECTED = {
    "buyer": {
        "clicks": 4, "orders": 3, "gmv": "289.80", "conversion_rate": "0.7500",
        # 18.00 + 7.16 | posted 45.00 (on 200.00)
        "estimated": "25.16", "settled": "45.00",
    },
    "provider": {
        "clicks": 7, "orders": 5, "gmv": "439.80", "conversion_rate": "0.7143",
        # 9.00 + 3.58 + 4.50 + upstream 5.40 | posted 21.60
        "estimated": "22.48", "settled": "21.60",
    },
    "merchant": {
        "clicks": 8, "orders": 6, "gmv": "479.80", "conversion_rate": "0.7500",
        # 30.00 + 11.94 + 15.00 + 30.00 + 12.00 | posted 74.00
        "estimated": "98.94", "settled": "74.00",
    },
}  # fmt: skip
