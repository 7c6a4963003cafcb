"""Demo traffic and money: links, 30 days of clicks, orders, refunds and a settlement run.

Through the real services: ``get_or_create_link`` (only items the buyer may promote),
``store_clicks`` (the redirect's direct-write path: IP hashes, bot and duplicate flags),
``record_order_event`` with explicit event times (attribution and commissions computed by
the order rebuild), and ``run_settlement`` (the ledger postings). Natural keys: links
(buyer, enrollment), click ids ``demo<link>x<n>``, order external ids ``DEMO-...`` and event
ids ``<external id>:<type>``; the orders are seeded once (skipped when a demo order exists).

One historical touch the services cannot make: links are created now, while the demo's
traffic starts 30 days ago; a new demo link's ``created_at`` (and so its 90-day validity)
is dated back 31 days, as if the buyer had taken it then.
"""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Organisation
from commissions.models import AffiliateLink, Click, Order
from commissions.models.tracking import LINK_VALIDITY_DAYS
from commissions.services.clicks import ClickData, hash_ip, store_clicks
from commissions.services.links import get_or_create_link
from commissions.services.orders import IncomingEvent, record_order_event
from commissions.settlement import candidates, run_settlement
from core.demo.data import BUYERS
from core.demo.people import Cast, Tally
from influencers.selectors.reach import promotable_enrollments

DAYS = 30
ORDER_PREFIX = "DEMO-"
LINKS_PER_BUYER = {"buyer": 12}
OTHER_BUYER_LINKS = 4
AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Aweme/32.1",
    "Mozilla/5.0 (Linux; Android 14; V2307A) AppleWebKit/537.36 Chrome/126.0 Mobile Kwai/12.5",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 XHSApp/8.61",
    "Mozilla/5.0 (Linux; Android 13; PJZ110) AppleWebKit/537.36 Chrome/120.0 MicroMessenger/8.0",
]
BOT_AGENT = "Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com)"
REFERRERS = [
    "https://www.douyin.com/",
    "https://www.xiaohongshu.com/",
    "https://live.kuaishou.com/",
    "",
]


def seed_links(cast: Cast, tally: Tally) -> list[AffiliateLink]:
    """Each buyer's links to items it may promote (the demo buyer's whole lineup and more)."""
    links = []
    for username, *_rest in BUYERS:
        user = cast.users[username]
        limit = LINKS_PER_BUYER.get(username, OTHER_BUYER_LINKS)
        items = promotable_enrollments(buyer=user.organisation).order_by("pk")[:limit]
        for enrollment in items:
            link, created = get_or_create_link(by=user, enrollment_id=enrollment.pk)
            if created:
                backdate_link(link)
                tally.add("links")
            links.append(link)
    return links


def backdate_link(link: AffiliateLink) -> None:
    """See the module docstring: the link as if taken 31 days ago."""
    link.created_at = timezone.now() - timedelta(days=DAYS + 1)
    link.expires_at = link.created_at + timedelta(days=LINK_VALIDITY_DAYS)
    AffiliateLink.objects.filter(pk=link.pk).update(
        created_at=link.created_at, expires_at=link.expires_at
    )


def evening_moment(rng: random.Random, now: datetime) -> datetime:
    """A moment of the last 30 days, mostly during evening livestreams (19:00-23:00 local)."""
    local = timezone.localtime(now)
    day = local.date() - timedelta(days=rng.randrange(DAYS))
    hour = rng.choice([19, 20, 20, 21, 21, 22, 12, 9])
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, hour))
    moment += timedelta(minutes=rng.randrange(60), seconds=rng.randrange(60))
    return (
        moment
        if moment < now - timedelta(minutes=5)
        else now - timedelta(hours=rng.randrange(3, 48))
    )


def link_clicks(link: AffiliateLink, count: int, now: datetime) -> list[ClickData]:
    """A link's visits: people, the odd crawler, and some impatient reloads (duplicates)."""
    rng = random.Random(link.pk)  # noqa: S311 (demo data, not secrets)
    clicks = []
    for n in range(count):
        at = evening_moment(rng, now)
        visitor = f"198.51.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        bot = rng.random() < 0.05
        agent = BOT_AGENT if bot else rng.choice(AGENTS)
        click = ClickData(
            click_id=f"demo{link.pk}x{n}", link_id=link.pk, clicked_at=at,
            ip_hash=hash_ip(visitor), user_agent=agent, referrer=rng.choice(REFERRERS),
        )  # fmt: skip
        clicks.append(click)
        if not bot and rng.random() < 0.06:
            again = at + timedelta(seconds=rng.randrange(3, 25))
            clicks.append(
                ClickData(**{**vars(click), "click_id": f"demo{link.pk}r{n}", "clicked_at": again})
            )
    return clicks


def seed_clicks(links: list[AffiliateLink], tally: Tally) -> None:
    """~30 days of clicks on every demo link that has none yet (a few hundred in all)."""
    now = timezone.now()
    clicked = set(Click.objects.filter(link__in=links).values_list("link_id", flat=True).distinct())
    batch = []
    for link in links:
        if link.pk not in clicked:
            demo_buyer = link.buyer.name.startswith("小鹿")
            batch += link_clicks(link, 20 if demo_buyer else 8, now)
    tally.add("clicks", store_clicks(clicks=batch))


def order_clicks(rng: random.Random, demo_buyer: Organisation) -> list[Click]:
    """About 60 counted clicks that turned into orders, most of them the demo buyer's."""
    counted = Click.objects.filter(
        click_id__startswith="demo",
        is_bot=False,
        is_duplicate=False,
        clicked_at__lt=timezone.now() - timedelta(hours=2),
    ).select_related("link__enrollment__product")
    own = [c for c in counted.order_by("clicked_at", "pk") if c.link.buyer_id == demo_buyer.pk]
    others = [c for c in counted.order_by("clicked_at", "pk") if c.link.buyer_id != demo_buyer.pk]
    chosen = rng.sample(own, min(38, len(own))) + rng.sample(others, min(22, len(others)))
    return sorted(chosen, key=lambda click: click.clicked_at)


def order_events(number: int, click: Click, rng: random.Random, now: datetime) -> list:
    """The storefront's events of one order: paid, confirmed after delivery, some refunds."""
    enrollment = click.link.enrollment
    paid_at = click.clicked_at + timedelta(minutes=rng.randrange(2, 90))
    quantity = (
        rng.choice([1, 1, 1, 2]) if enrollment.campaign_price > 100 else rng.choice([1, 2, 3])
    )
    amount = enrollment.campaign_price * quantity
    external_id = f"{ORDER_PREFIX}{timezone.localtime(paid_at):%Y%m%d}-{number:03d}"
    source = {"click_id": click.click_id} if number % 15 != 7 else {"link_code": click.link.code}
    line = {"sku": enrollment.product.sku, "quantity": quantity, "amount": f"{amount:.2f}"}
    events = [(f"{external_id}:paid", "order.paid", paid_at, line)]
    if number % 30 == 5:  # returned before delivery: refunded in full
        refunded = {**line, "refunded_amount": f"{amount:.2f}"}
        events.append(
            (f"{external_id}:refunded", "order.refunded", paid_at + timedelta(days=2), refunded)
        )
    elif paid_at + timedelta(days=7) < now:
        if number % 30 == 12:  # part returned (a unit, or half of a single one)
            refund = amount / quantity if quantity > 1 else amount / 2
            part = {**line, "refunded_amount": f"{refund:.2f}"}
            events.append(
                (f"{external_id}:refunded", "order.refunded", paid_at + timedelta(days=3), part)
            )
            line = part
        events.append(
            (f"{external_id}:confirmed", "order.confirmed", paid_at + timedelta(days=7), line)
        )
    return [
        IncomingEvent(
            event_id=event_id, type=kind, occurred_at=at, source="webhook",
            payload={"external_id": external_id, **source, "lines": [body]},
        )
        for event_id, kind, at, body in events
    ]  # fmt: skip


def seed_orders(cast: Cast, tally: Tally) -> None:
    """~60 orders from demo clicks over 30 days, plus two direct (unattributed) storefront
    sales of the demo merchant; recorded as storefront events at their own times."""
    if Order.objects.filter(external_id__startswith=ORDER_PREFIX).exists():
        return
    rng, now = random.Random(2026), timezone.now()  # noqa: S311 (demo data)
    for number, click in enumerate(order_clicks(rng, cast.org("buyer")), start=1):
        for event in order_events(number, click, rng, now):
            record_order_event(event=event)
        tally.add("orders")
    for number, sku in ((901, "YS-007"), (902, "YS-005")):
        paid_at = now - timedelta(days=number - 895, hours=3)
        external_id = f"{ORDER_PREFIX}{timezone.localtime(paid_at):%Y%m%d}-{number}"
        line = {"sku": sku, "quantity": 1, "amount": "59.90" if sku == "YS-007" else "149.00"}
        record_order_event(
            event=IncomingEvent(
                event_id=f"{external_id}:paid",
                type="order.paid",
                occurred_at=paid_at,
                source="webhook",
                payload={"external_id": external_id, "lines": [line]},
            )
        )
        tally.add("orders")


def seed_settlement(cast: Cast, tally: Tally) -> None:
    """Settle what is due today, as the daily beat would (nothing due: no run)."""
    today = timezone.localdate()
    if not candidates(today).exists():
        return
    run = run_settlement(as_of=today, by=cast.operator)
    tally.add("settled commissions", run.settled)
    tally.add("settlement runs")


def seed_money(cast: Cast, links: list[AffiliateLink], tally: Tally) -> None:
    seed_clicks(links, tally)
    seed_orders(cast, tally)
    seed_settlement(cast, tally)
