"""Benchmark of settlement (commissions.settlement.run_settlement) at 100,000 and 1,000,000 lines.

Run it against a dedicated PostgreSQL database (created if missing; its name must contain
"bench"; its marketplace tables are truncated before each size and at the end):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_settlement \
        .venv/bin/python bench/bench_settlement.py [--sizes 100000,1000000] [--batch-size 1000]

For each size N: a small marketplace (providers, campaigns, merchants, products,
enrollments, buyers, links) with bulk_create, then N confirmed one-line orders, their lines
and N settleable commissions (first level, 20 %/10 %-ish rates, split in SQL exactly as
commissions.splits does) with INSERT ... SELECT generate_series; VACUUM ANALYZE; then

- settle: run_settlement as of today (every line is past its 15-day delay), timed, and
  checked: N settled, N transactions, 4N entries, the ledger sums to zero;
- floor: in the same run, the same number of ledger rows (N transactions, 4N entries into
  the real tables, so with their indexes, foreign keys and the balance trigger) written by
  two plain INSERT ... SELECT statements, timed, then rolled back; and the same plus the
  one UPDATE of the commissions' posted figures that settlement also does.

It prints lines per second for each and the ratio settle / floor.

Measured (2 cores, PostgreSQL 15, other work on the machine: +-20 % noise), batch 1000:

          N  case                              seconds    lines/s   ratio
     100000  run_settlement (batch 1000)         26.89      3,719    1.0x
     100000  floor: INSERT ... SELECT ledger      4.20     23,815    6.4x
     100000  floor + UPDATE commissions           6.38     15,670    4.2x
    1000000  run_settlement (batch 1000)        277.73      3,601    1.0x
    1000000  floor: INSERT ... SELECT ledger     54.66     18,294    5.1x
    1000000  floor + UPDATE commissions          79.62     12,560    3.5x

Per batch of 1,000 lines (300k run): entries INSERT ~60 ms, commissions UPDATE ~50 ms,
orders UPDATE ~25 ms, transactions INSERT ~15 ms, locking select ~15 ms, about a quarter
in Python. Before migration 0005 the balance trigger scanned the whole entry table on
every INSERT (56 ms per batch on an empty ledger, 192 ms at 1.2M entries) and 1M lines
took 542 s.
"""

# ruff: noqa: E402  (Django is set up before the models are imported)
import argparse
import os
import sys
import time
import warnings
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")  # no query log kept

import django

django.setup()

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Organisation, Role
from bench.benchdb import prepare_database
from commissions.ledger import ledger_total
from commissions.models import (
    Account,
    AffiliateLink,
    Commission,
    LedgerEntry,
    LedgerTransaction,
    Order,
    OrderLine,
    SettlementRun,
)
from commissions.settlement import run_settlement
from matchmaking.models import Campaign, Enrollment
from merchants.models import Category, Product

OWN_MODELS = [LedgerEntry, LedgerTransaction, SettlementRun, Account, Commission, OrderLine]
OWN_MODELS += [Order, AffiliateLink, Enrollment, Campaign, Product, Organisation]
PROVIDERS, MERCHANTS, BUYERS, ENROLLMENTS, LINKS = 20, 200, 1000, 500, 2000


def wipe() -> None:
    """TRUNCATE fires no row trigger, so the ledger's no-delete guard lets it through."""
    tables = ", ".join(model._meta.db_table for model in OWN_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def organisations(role: str, count: int) -> list[Organisation]:
    return Organisation.objects.bulk_create(
        Organisation(name=f"Bench {role} {i}", role=role, status="active") for i in range(count)
    )


def marketplace() -> None:
    """Providers with one campaign each, merchants' products enrolled, buyers' links."""
    today = timezone.localdate()
    providers = organisations(Role.PROVIDER, PROVIDERS)
    merchants = organisations(Role.MERCHANT, MERCHANTS)
    buyers = organisations(Role.BUYER, BUYERS)
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            provider=provider, name=f"Bench picks {i}", status="ongoing",
            registration_start=today - timedelta(days=90),
            registration_end=today - timedelta(days=61),
            promotion_start=today - timedelta(days=60),
            promotion_end=today + timedelta(days=30),
            min_commission_rate=Decimal("0.0500"), service_fee_rate=Decimal("0.1000"),
            settlement_delay_days=15,
        )
        for i, provider in enumerate(providers)
    )  # fmt: skip
    category = Category.objects.order_by("pk").first()
    products = Product.objects.bulk_create(
        Product(
            merchant=merchants[i % MERCHANTS], sku=f"BENCH-{i:05d}", title=f"Bench item {i}",
            category=category, brand="Bench", price=Decimal("199.00"), stock=1000,
            sample_stock=0, storefront_url=f"https://shop.example.com/item/{i}", status="active",
        )
        for i in range(ENROLLMENTS)
    )  # fmt: skip
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            campaign=campaigns[i % PROVIDERS], product=product, status="approved",
            commission_rate=Decimal(5 + i % 30) / 100, service_fee_rate=Decimal("0.1000"),
            campaign_price=Decimal("159.00"), promotion_stock=1000,
        )
        for i, product in enumerate(products)
    )  # fmt: skip
    expires = timezone.now() + timedelta(days=90)
    AffiliateLink.objects.bulk_create(
        AffiliateLink(
            buyer=buyers[i % BUYERS], enrollment=enrollments[(i + 7 * (i // BUYERS)) % ENROLLMENTS],
            code=f"B{i:07d}", expires_at=expires,
        )
        for i in range(LINKS)
    )  # fmt: skip


LINK_INFO = """
CREATE TEMP TABLE bench_links AS
SELECT (row_number() OVER (ORDER BY l.id)) - 1 AS k, l.id AS link_id, l.buyer_id,
       e.id AS enrollment_id, e.commission_rate, e.service_fee_rate, p.merchant_id,
       p.id AS product_id, p.sku, c.provider_id
FROM commissions_affiliatelink l
JOIN matchmaking_enrollment e ON e.id = l.enrollment_id
JOIN merchants_product p ON p.id = e.product_id
JOIN matchmaking_campaign c ON c.id = e.campaign_id
"""
ORDERS = """
INSERT INTO commissions_order (id, external_id, status, click_id, link_code, merchant_id,
    paid_at, confirmed_at, cancelled_at, created_at, updated_at)
SELECT g, 'BENCH-' || g, 'confirmed', '', '', b.merchant_id, t, t, NULL, t, t
FROM generate_series(1, %(n)s) g
JOIN bench_links b ON b.k = g %% %(links)s
CROSS JOIN LATERAL (SELECT now() - interval '20 days' - (g %% 86400) * interval '1 second') s(t)
"""
LINES = """
INSERT INTO commissions_orderline (id, order_id, position, sku, quantity, amount,
    refunded_amount, product_id, link_id, click_id, attributed_at, unattributed_reason,
    attribution_attempts)
SELECT g, g, 1, b.sku, 1, round((((g::bigint * 7919) %% 99900) + 100) / 100.0, 2), 0,
       b.product_id, b.link_id, NULL, now() - interval '20 days', '', 0
FROM generate_series(1, %(n)s) g
JOIN bench_links b ON b.k = g %% %(links)s
"""
COMMISSIONS = """
INSERT INTO commissions_commission (id, line_id, order_id, enrollment_id, merchant_id,
    buyer_id, provider_id, upstream_provider_id, status, void_reason, base_amount,
    commission_rate, service_fee_rate, upstream_fee_rate, platform_rate, buyer_gross,
    buyer_fee, buyer_net, provider_gross, provider_fee, provider_net, upstream_gross,
    upstream_fee, upstream_net, platform_fee, merchant_pays, posted_buyer_net,
    posted_provider_net, posted_upstream_net, posted_platform_fee, posted_merchant_pays,
    revision, posted_revision, earned_at, settleable_at, settled_at, created_at, updated_at)
SELECT l.id, l.id, l.order_id, b.enrollment_id, b.merchant_id, b.buyer_id, b.provider_id,
       NULL, 'settleable', '', l.amount, b.commission_rate, b.service_fee_rate, NULL, 0.1,
       f.bg, f.bf, f.bg - f.bf, f.pg, f.pf, f.pg - f.pf, 0, 0, 0, f.bf + f.pf, f.bg + f.pg,
       0, 0, 0, 0, 0, 0, 0, now() - interval '20 days', NULL, NULL, now(), now()
FROM commissions_orderline l
JOIN bench_links b ON b.link_id = l.link_id
CROSS JOIN LATERAL (SELECT round(l.amount * b.commission_rate, 2) AS bg,
                           round(l.amount * b.service_fee_rate, 2) AS pg) g
CROSS JOIN LATERAL (SELECT g.bg, g.pg, round(g.bg * 0.1, 2) AS bf, round(g.pg * 0.1, 2) AS pf) f
"""
RESET_SEQUENCES = """
SELECT setval(pg_get_serial_sequence('commissions_order', 'id'), %(n)s),
       setval(pg_get_serial_sequence('commissions_orderline', 'id'), %(n)s),
       setval(pg_get_serial_sequence('commissions_commission', 'id'), %(n)s)
"""


def lines(n: int) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(LINK_INFO)
        for sql in (ORDERS, LINES, COMMISSIONS, RESET_SEQUENCES):
            cursor.execute(sql, {"n": n, "links": LINKS})
        cursor.execute("DROP TABLE bench_links")
    return time.perf_counter() - start


FLOOR_TRANSACTIONS = """
INSERT INTO commissions_ledgertransaction (kind, reference, memo, commission_id,
    settlement_run_id, created_by_id, posted_at)
SELECT 'settlement', 'floor:' || c.id, 'floor', c.id, NULL, NULL, now()
FROM commissions_commission c
"""
FLOOR_ENTRIES = """
INSERT INTO commissions_ledgerentry (transaction_id, account_id, amount, posted_at)
SELECT t.id, a.id, v.amount, t.posted_at
FROM commissions_ledgertransaction t
JOIN commissions_commission c ON c.id = t.commission_id
CROSS JOIN LATERAL (VALUES (c.merchant_id, 'merchant_payable', -c.merchant_pays),
                           (c.buyer_id, 'buyer_earnings', c.buyer_net),
                           (c.provider_id, 'provider_fees', c.provider_net),
                           (NULL::bigint, 'platform_revenue', c.platform_fee)) v(org, kind, amount)
JOIN commissions_account a ON coalesce(a.organisation_id, 0) = coalesce(v.org, 0)
                          AND a.kind = v.kind
WHERE t.reference LIKE 'floor:%%'
"""
FLOOR_UPDATE = """
UPDATE commissions_commission SET posted_buyer_net = buyer_net,
    posted_provider_net = provider_net, posted_platform_fee = platform_fee,
    posted_merchant_pays = merchant_pays, posted_revision = revision, status = 'settled',
    settled_at = now()
"""


class Rollback(Exception):
    pass


def floor(*, with_update: bool) -> tuple[float, int]:
    """The ledger rows of N lines by INSERT ... SELECT (and the commissions' UPDATE), rolled
    back; seconds and entries written. Run after settlement, so the accounts exist."""
    statements = [FLOOR_TRANSACTIONS, FLOOR_ENTRIES] + ([FLOOR_UPDATE] if with_update else [])
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            start = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                if sql is FLOOR_ENTRIES:
                    entries = cursor.rowcount
            elapsed = time.perf_counter() - start
            raise Rollback
    except Rollback:
        pass
    return elapsed, entries


def check(n: int, run: SettlementRun) -> None:
    assert (run.status, run.total, run.settled) == ("succeeded", n, n), run
    assert LedgerTransaction.objects.count() == n
    assert LedgerEntry.objects.count() == 4 * n
    assert ledger_total() == 0
    assert not Commission.objects.exclude(status="settled").exists()


def vacuum() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def run_size(n: int, batch_size: int) -> None:
    wipe()
    marketplace()
    built = lines(n)
    vacuum()
    print(f"# N={n}: {n} orders, lines and settleable commissions built in {built:.1f}s")
    start = time.perf_counter()
    run = run_settlement(as_of=timezone.localdate(), batch_size=batch_size)
    settle = time.perf_counter() - start
    check(n, run)
    vacuum()
    floor_insert, entries = floor(with_update=False)
    floor_all, _ = floor(with_update=True)
    assert entries == 4 * n, entries
    print(f"{'N':>9}  {'case':<34}{'seconds':>9}{'lines/s':>11}{'ratio':>8}")
    for case, seconds in (
        (f"run_settlement (batch {batch_size})", settle),
        ("floor: INSERT ... SELECT ledger", floor_insert),
        ("floor + UPDATE commissions", floor_all),
    ):
        print(f"{n:>9}  {case:<34}{seconds:>9.2f}{n / seconds:>11,.0f}{settle / seconds:>7.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--batch-size", type=int, default=settings.SETTLEMENT_BATCH_SIZE)
    parser.add_argument("--keep", action="store_true", help="leave the last size's rows")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", "No directory at")
    prepare_database()
    try:
        for n in (int(size) for size in args.sizes.split(",")):
            run_size(n, args.batch_size)
    finally:
        if not args.keep:
            wipe()


if __name__ == "__main__":
    main()
