"""Attribution: which buyer's link, if any, earns each order line (DESIGN.md "Order").

Rules, applied to every line not attributed yet:
- last click by click id: the order's ``click_id`` finds the Click and its
  link; the click must fall within the campaign's ``attribution_window_days``
  before the order's paid time (bounds included), else ``outside_window``;
  a click id we do not know yet is ``unknown_click`` (it may still sit in
  the Redis click buffer, so the beat task retries it);
- otherwise the order's ``link_code`` goes to that link: unknown code ->
  ``unknown_link``, a link expired at the paid time -> ``outside_window``, a link made
  after the payment -> ``link_after_payment`` (the click or link must come first);
- no click id and no code -> ``no_click``;
- a line whose sku is not the linked product's (or whose order belongs to
  another merchant than the product) -> ``sku_mismatch``;
- a link that was not promoting at the paid time earns nothing: its enrollment had ended
  (``enrollment_ended``), its product is archived (``product_archived``), its campaign was
  not running (``not_promotable``); see matchmaking.selectors.promotable.
An attributed line keeps its link, click and product for good: later events
never move it. The order's merchant comes from the linked product.

Callers hold the order row locked (``commissions.locks``); these functions
change rows in memory and the caller saves them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from commissions.locks import lock_idle_orders
from commissions.models import AffiliateLink, Click, Order, OrderLine
from commissions.services.commissions import recompute_commissions
from matchmaking.selectors.promotable import promoting_at
from merchants.models import Product

Reason = OrderLine.Unattributed
RETRYABLE = (Reason.UNKNOWN_CLICK, Reason.UNKNOWN_LINK)
RETRY_FOR = timedelta(days=7)
RETRY_BATCH = 200
LINK_RELATED = ("enrollment__campaign", "enrollment__product")
ATTRIBUTION_FIELDS = ["link", "click", "product", "attributed_at", "unattributed_reason",
                      "attribution_attempts"]  # fmt: skip


@dataclass(frozen=True)
class Source:
    """Where an order came from: a link (and the click, if by click id), or why not."""

    link: AffiliateLink | None = None
    click: Click | None = None
    reason: str = ""


@dataclass
class SourceIndex:
    """The clicks and links of a batch of orders, fetched in two queries."""

    clicks: dict[str, Click] = field(default_factory=dict)
    links: dict[str, AffiliateLink] = field(default_factory=dict)

    @classmethod
    def for_orders(cls, orders: Iterable[Order]) -> "SourceIndex":
        orders = list(orders)
        click_ids = {order.click_id for order in orders if order.click_id}
        codes = {order.link_code for order in orders if order.link_code and not order.click_id}
        clicks = Click.objects.select_related(*(f"link__{path}" for path in LINK_RELATED))
        links = AffiliateLink.objects.select_related(*LINK_RELATED)
        return cls(
            clicks={c.click_id: c for c in clicks.filter(click_id__in=click_ids)}
            if click_ids
            else {},
            links={link.code: link for link in links.filter(code__in=codes)} if codes else {},
        )


CLOCK_SKEW = timedelta(minutes=2)


def find_source(order: Order, index: SourceIndex) -> Source:
    """The link the order came through at its paid time, or the reason there is none."""
    paid_at = order.paid_at
    if order.click_id:
        click = index.clicks.get(order.click_id)
        if click is None:
            return Source(reason=Reason.UNKNOWN_CLICK)
        window = timedelta(days=click.link.enrollment.campaign.attribution_window_days)
        # The storefront's clock and ours differ, and signatures carry whole seconds: a click
        # stamped a moment "after" the payment is still the click that led to it.
        latest = paid_at + CLOCK_SKEW if paid_at else None
        if paid_at is None or not (paid_at - window <= click.clicked_at <= latest):
            return Source(reason=Reason.OUTSIDE_WINDOW)
        return Source(link=click.link, click=click)
    if order.link_code:
        link = index.links.get(order.link_code)
        if link is None:
            return Source(reason=Reason.UNKNOWN_LINK)
        if paid_at is None or link.expires_at < paid_at:
            return Source(reason=Reason.OUTSIDE_WINDOW)
        if link.created_at > paid_at + CLOCK_SKEW:
            return Source(reason=Reason.LINK_AFTER_PAYMENT)
        return Source(link=link)
    return Source(reason=Reason.NO_CLICK)


def attribute_line(*, order: Order, line: OrderLine, source: Source, now: datetime) -> bool:
    """Give the line to the source's link when the sku is the linked product's; True if so."""
    line.attribution_attempts = min(line.attribution_attempts + 1, 32_767)
    if source.link is None:
        line.unattributed_reason = source.reason
        return False
    product = source.link.enrollment.product
    other_merchant = order.merchant_id not in (None, product.merchant_id)
    if line.sku != product.sku or other_merchant:
        line.unattributed_reason = Reason.SKU_MISMATCH
        return False
    stopped = promoting_at(source.link.enrollment, order.paid_at)
    if stopped:
        line.unattributed_reason = stopped
        return False
    line.link, line.click, line.product = source.link, source.click, product
    line.attributed_at, line.unattributed_reason = now, ""
    if order.merchant_id is None:
        order.merchant_id = product.merchant_id
    return True


def attribute_order_lines(
    *, order: Order, lines: list[OrderLine], index: SourceIndex | None = None
) -> int:
    """Attribute the order's lines that have no link yet; how many were attributed now.

    Also settles the order's merchant when no link names it: the one merchant
    whose products carry all the order's skus, if exactly one does. Lines get
    their product when the merchant is known and sells that sku.
    """
    pending = [line for line in lines if line.link_id is None]
    if not pending:
        return 0
    index = index if index is not None else SourceIndex.for_orders([order])
    source = find_source(order, index)
    now = timezone.now()
    attributed = sum(
        attribute_line(order=order, line=line, source=source, now=now) for line in pending
    )
    if order.merchant_id is None:
        order.merchant_id = merchant_selling(sku for sku in {line.sku for line in lines})
    fill_products(order=order, lines=pending)
    return attributed


def merchant_selling(skus: Iterable[str]) -> int | None:
    """The id of the only merchant with products of all these skus, or None."""
    skus = set(skus)
    owners = Product.objects.filter(sku__in=skus).values_list("merchant_id", "sku")
    by_merchant: dict[int, set[str]] = {}
    for merchant_id, sku in owners:
        by_merchant.setdefault(merchant_id, set()).add(sku)
    complete = [merchant_id for merchant_id, found in by_merchant.items() if found == skus]
    return complete[0] if len(complete) == 1 else None


def fill_products(*, order: Order, lines: list[OrderLine]) -> None:
    missing = [line for line in lines if line.product_id is None]
    if order.merchant_id is None or not missing:
        return
    products = Product.objects.filter(
        merchant_id=order.merchant_id, sku__in={line.sku for line in missing}
    )
    by_sku = {product.sku: product for product in products}
    for line in missing:
        line.product = by_sku.get(line.sku)


def retry_unattributed_lines(*, batch_size: int = RETRY_BATCH) -> dict[str, int]:
    """Try again the lines left ``unknown_click`` / ``unknown_link`` of orders paid in the
    last 7 days (the click may have reached the database since). Orders are taken in
    batches, each locked with SKIP LOCKED so a rebuild or a second run in progress is
    left alone; running twice only counts one more attempt per line."""
    since = timezone.now() - RETRY_FOR
    after, tried, attributed = 0, 0, 0
    while True:
        order_ids = list(
            OrderLine.objects.filter(
                link__isnull=True,
                unattributed_reason__in=RETRYABLE,
                order__paid_at__gte=since,
                order_id__gt=after,
            )
            .order_by("order_id")
            .values_list("order_id", flat=True)
            .distinct()[:batch_size]
        )
        if not order_ids:
            return {"tried": tried, "attributed": attributed}
        after = order_ids[-1]
        batch_tried, batch_attributed = retry_batch(order_ids)
        tried += batch_tried
        attributed += batch_attributed


def retry_batch(order_ids: list[int]) -> tuple[int, int]:
    with transaction.atomic():
        orders = lock_idle_orders(order_ids)
        lines_of: dict[int, list[OrderLine]] = {}
        for line in OrderLine.objects.filter(order__in=orders).order_by("order_id", "position"):
            lines_of.setdefault(line.order_id, []).append(line)
        index = SourceIndex.for_orders(orders)
        tried = attributed = 0
        for order in orders:
            lines = lines_of.get(order.pk, [])
            pending = [line for line in lines if line.link_id is None]
            merchant_before = order.merchant_id
            done = attribute_order_lines(order=order, lines=lines, index=index)
            OrderLine.objects.bulk_update(pending, ATTRIBUTION_FIELDS)
            if order.merchant_id != merchant_before:
                order.save(update_fields=["merchant", "updated_at"])
            if done:  # the money follows, as after any rebuild (services.orders.order_changed)
                recompute_commissions(order_id=order.pk)
            tried, attributed = tried + len(pending), attributed + done
    return tried, attributed
