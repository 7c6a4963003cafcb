"""Demo traffic and orders: links, two to three months of clicks, and the orders' plans.

Through the real services: ``get_or_create_link`` (only items the buyer may promote),
``store_clicks`` (the redirect's direct-write path: IP hashes, bot and duplicate flags) and,
replayed by ``core.demo.history`` with the clock at each event, ``record_order_event``
(attribution and commissions computed by the order rebuild). Natural keys: links (buyer,
enrollment), click ids ``demo<link>x<n>``, order external ids ``DEMO-...`` and event ids
``<external id>:<type>``; the orders are seeded once (skipped when a demo order exists).

How far back: far enough that the month before last has settled lines -- an order settles
about two weeks after it is paid (seven days to the storefront's confirmation, then the
campaign's seven-day delay) -- and at least 60 days: 60 to 83 days, by the day of the month.
So last month and the month before are settled months with statements, and the last two
weeks are still estimated.

One historical touch the services cannot make: links are created now, while the demo's
traffic starts up to 83 days ago; a new demo link's ``created_at`` (and so its 90-day
validity) is dated back to the day before the traffic starts, as if the buyer took it then.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation
from commissions.models import AffiliateLink, Click
from commissions.models.tracking import LINK_VALIDITY_DAYS
from commissions.selectors.statements import last_month
from commissions.services.clicks import ClickData, store_clicks
from commissions.services.links import get_or_create_link
from commissions.services.orders import IncomingEvent
from core.client_address import hash_ip
from matchmaking.selectors.reach import promotable_enrollments
from portal.demo.data import BUYERS
from portal.demo.people import Cast, Tally

MIN_DAYS = 60
# The month before last has settled lines on its last this-many days at least.
SETTLED_DAYS_BEFORE_LAST_MONTH = 8
PAID_TO_SETTLED_DAYS = 14  # confirmation after 7 days, then the campaign's 7-day delay
ORDER_PREFIX = "DEMO-"
LINKS_PER_BUYER = {"buyer": 12}
OTHER_BUYER_LINKS = 4
# Per 30 days: clicks on each of the demo buyer's links and on other buyers' links; orders
# of the demo buyer and of the others.
CLICKS_PER_LINK, OTHER_CLICKS_PER_LINK = 20, 8
OWN_ORDERS, OTHER_ORDERS = 38, 22
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


def history_start(today: date) -> date:
    """The first day of demo traffic (module docstring)."""
    settled_from = last_month(today) - timedelta(days=SETTLED_DAYS_BEFORE_LAST_MONTH)
    return min(
        today - timedelta(days=MIN_DAYS), settled_from - timedelta(days=PAID_TO_SETTLED_DAYS)
    )


def history_days(now: datetime) -> int:
    """How many days of traffic, today included."""
    today = timezone.localdate(now)
    return (today - history_start(today)).days + 1


def per_days(count_per_30: int, days: int) -> int:
    return round(count_per_30 * days / 30)


def seed_links(cast: Cast, tally: Tally) -> list[AffiliateLink]:
    """Each buyer's links to items it may promote (the demo buyer's whole lineup and more)."""
    links, days = [], history_days(timezone.now())
    for username, *_rest in BUYERS:
        user = cast.users[username]
        limit = LINKS_PER_BUYER.get(username, OTHER_BUYER_LINKS)
        items = promotable_enrollments(buyer=user.organisation).order_by("pk")[:limit]
        for enrollment in items:
            link, created = get_or_create_link(by=user, enrollment_id=enrollment.pk)
            if created:
                backdate_link(link, days)
                tally.add("links")
            links.append(link)
    return links


def backdate_link(link: AffiliateLink, days: int) -> None:
    """See the module docstring: the link as if taken the day before the traffic starts."""
    link.created_at = timezone.now() - timedelta(days=days)
    link.expires_at = link.created_at + timedelta(days=LINK_VALIDITY_DAYS)
    AffiliateLink.objects.filter(pk=link.pk).update(
        created_at=link.created_at, expires_at=link.expires_at
    )


def evening_moment(rng: random.Random, now: datetime, days: int) -> datetime:
    """A moment of the last ``days`` days, mostly during evening livestreams (19:00-23:00)."""
    local = timezone.localtime(now)
    day = local.date() - timedelta(days=rng.randrange(days))
    hour = rng.choice([19, 20, 20, 21, 21, 22, 12, 9])
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, hour))
    moment += timedelta(minutes=rng.randrange(60), seconds=rng.randrange(60))
    return (
        moment
        if moment < now - timedelta(minutes=5)
        else now - timedelta(hours=rng.randrange(3, 48))
    )


def link_clicks(link: AffiliateLink, count: int, now: datetime, days: int) -> list[ClickData]:
    """A link's visits: people, the odd crawler, and some impatient reloads (duplicates)."""
    # Seeded by what the link is, not its id: ids depend on what the database held before
    # (a test suite's sequences), and the demo must come out the same every time.
    enrollment = link.enrollment
    key = f"{link.buyer.name}|{enrollment.campaign.name}|{enrollment.product.sku}"
    rng = random.Random(key)  # noqa: S311 (demo data, not secrets)
    clicks = []
    for n in range(count):
        at = evening_moment(rng, now, days)
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
    """Clicks since the traffic starts on every demo link that has none yet (~35 a day)."""
    now = timezone.now()
    days = history_days(now)
    clicked = set(Click.objects.filter(link__in=links).values_list("link_id", flat=True).distinct())
    batch = []
    for link in links:
        if link.pk not in clicked:
            demo_buyer = link.buyer.name.startswith("小鹿")
            per_30 = CLICKS_PER_LINK if demo_buyer else OTHER_CLICKS_PER_LINK
            batch += link_clicks(link, per_days(per_30, days), now, days)
    tally.add("clicks", store_clicks(clicks=batch))


def order_clicks(rng: random.Random, demo_buyer: Organisation, days: int) -> list[Click]:
    """About two counted clicks a day that turned into orders, most of them the demo buyer's."""
    counted = Click.objects.filter(
        click_id__startswith="demo",
        is_bot=False,
        is_duplicate=False,
        clicked_at__lt=timezone.now() - timedelta(hours=2),
    ).select_related("link__enrollment__product", "link__enrollment__campaign")
    own = [c for c in counted.order_by("clicked_at", "pk") if c.link.buyer_id == demo_buyer.pk]
    others = [c for c in counted.order_by("clicked_at", "pk") if c.link.buyer_id != demo_buyer.pk]
    chosen = rng.sample(own, min(per_days(OWN_ORDERS, days), len(own)))
    chosen += rng.sample(others, min(per_days(OTHER_ORDERS, days), len(others)))
    return sorted(chosen, key=lambda click: click.clicked_at)


@dataclass
class OrderPlan:
    """One storefront order as its events will tell it: paid, perhaps refunded (in part, or
    in full before delivery), confirmed a week after payment once delivered."""

    external_id: str
    line: dict
    paid_at: datetime
    source: dict = field(default_factory=dict)
    buyer_id: int | None = None
    delay_days: int = 0
    confirmed_at: datetime | None = None
    refunds: list[tuple[datetime, Decimal]] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.line["amount"])

    def part_of_it(self) -> Decimal:
        """A returned part: one unit, or half of a single one."""
        quantity = self.line["quantity"]
        return (self.amount / quantity if quantity > 1 else self.amount / 2).quantize(
            Decimal("0.01")
        )

    def settled_before(self, moment: datetime) -> bool:
        """Whether it was settled whole before ``moment``: nothing returned, and the nightly
        run (02:30) of its due day, the confirmation day plus the campaign's delay, came
        before."""
        if self.confirmed_at is None or self.refunds:
            return False
        due = timezone.localdate(self.confirmed_at) + timedelta(days=self.delay_days)
        return timezone.make_aware(datetime.combine(due, time(2, 30))) < moment

    def events(self) -> list[IncomingEvent]:
        body = self.line
        told = [("paid", "order.paid", self.paid_at, body)]
        for n, (at, refunded) in enumerate(self.refunds):
            body = {**self.line, "refunded_amount": f"{refunded:.2f}"}
            told.append((f"refunded{n or ''}", "order.refunded", at, body))
        if self.confirmed_at is not None:
            before = [refunded for at, refunded in self.refunds if at < self.confirmed_at]
            body = {**self.line, "refunded_amount": f"{before[-1]:.2f}"} if before else self.line
            told.append(("confirmed", "order.confirmed", self.confirmed_at, body))
        return [
            IncomingEvent(
                event_id=f"{self.external_id}:{name}", type=kind, occurred_at=at,
                source="webhook", payload={"external_id": self.external_id, **self.source,
                                           "lines": [body]},
            )
            for name, kind, at, body in told
        ]  # fmt: skip


def plan_order(number: int, click: Click, rng: random.Random, now: datetime) -> OrderPlan:
    """An order from a click: some returned before delivery (refunded in full), some in part."""
    enrollment = click.link.enrollment
    paid_at = click.clicked_at + timedelta(minutes=rng.randrange(2, 90))
    quantity = (
        rng.choice([1, 1, 1, 2]) if enrollment.campaign_price > 100 else rng.choice([1, 2, 3])
    )
    amount = enrollment.campaign_price * quantity
    plan = OrderPlan(
        external_id=f"{ORDER_PREFIX}{timezone.localtime(paid_at):%Y%m%d}-{number:03d}",
        line={"sku": enrollment.product.sku, "quantity": quantity, "amount": f"{amount:.2f}"},
        paid_at=paid_at,
        source={"click_id": click.click_id} if number % 15 != 7 else {"link_code": click.link.code},
        buyer_id=click.link.buyer_id,
        delay_days=enrollment.campaign.settlement_delay_days,
    )
    if number % 30 == 5:  # returned before delivery: refunded in full
        if paid_at + timedelta(days=2) < now:
            plan.refunds.append((paid_at + timedelta(days=2), plan.amount))
    elif paid_at + timedelta(days=7) < now:
        if number % 30 == 12:
            plan.refunds.append((paid_at + timedelta(days=3), plan.part_of_it()))
        plan.confirmed_at = paid_at + timedelta(days=7)
    return plan


def plan_orders(cast: Cast, now: datetime) -> list[OrderPlan]:
    """Orders from demo clicks since the traffic starts (~2 a day), plus two direct
    (unattributed) storefront sales of the demo merchant last week."""
    rng = random.Random(2026)  # noqa: S311 (demo data)
    days = history_days(now)
    clicks = order_clicks(rng, cast.org("buyer"), days)
    plans = [plan_order(number, click, rng, now) for number, click in enumerate(clicks, start=1)]
    for number, sku in ((901, "YS-007"), (902, "YS-005")):
        paid_at = now - timedelta(days=number - 895, hours=3)
        line = {"sku": sku, "quantity": 1, "amount": "59.90" if sku == "YS-007" else "149.00"}
        plans.append(
            OrderPlan(
                external_id=f"{ORDER_PREFIX}{timezone.localtime(paid_at):%Y%m%d}-{number}",
                line=line,
                paid_at=paid_at,
            )
        )
    return plans
