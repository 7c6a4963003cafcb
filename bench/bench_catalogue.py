"""Benchmark of the buyer catalogue page, GET /api/v1/catalogue/, at growing sizes.

Run it against a dedicated PostgreSQL database (created if missing; its name must
contain "bench"; the rows it makes are truncated at the end):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_catalogue \
        .venv/bin/python bench/bench_catalogue.py [--sizes 1000,10000,100000]

For each size N: migrate, build a marketplace with bulk_create (bench/README.md tells
its shape), VACUUM ANALYZE, then time the page as a broad buyer and a niche buyer
(token auth, django.test.Client, DEBUG off) for the default sort and three filters:
median and p95 over --requests requests after warm-up, SQL queries per request, rows
matched, ratio to a baseline timed in the same run (a bare 50-row approved-enrollment
list plus its count). At the largest N, EXPLAIN ANALYZE of the default page
(--plans FILE keeps the full plans). --with-indexes then adds CANDIDATE_INDEXES,
measures again and drops them. --allow-sqlite runs on SQLite (figures mean little
there); --keep leaves the last size's rows in place.
"""

# ruff: noqa: E402  (Django is set up before the models are imported)
import argparse
import itertools
import os
import random
import statistics
import sys
import time
import warnings
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")  # as in production: no query log kept per request
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django

django.setup()

from django.db import connection, models
from django.db.models import F, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import Organisation, Role, User
from bench import benchdb
from bench.benchdb import prepare_database
from influencers.models import SampleRequest
from matchmaking.models import Assortment, AssortmentItem, Campaign, Enrollment, RosterMembership
from merchants.models import Category, Product

URL = "/api/v1/catalogue/"
CASES = {
    "default sort": {},
    "category": {"category": "womens-clothing"},
    "price band + rate": {"min_price": "50", "max_price": "200", "min_commission_rate": "0.2"},
    "search": {"search": "silk"},
}
BIG_TABLES = ("matchmaking_enrollment", "merchants_product", "matchmaking_campaign")
# Tried by --with-indexes, exactly as they would stand in Enrollment.Meta.indexes. The
# commission-money index this benchmark argued for is in the model now; these would serve
# the other sorts (price, newest, stock), not yet worth their write cost.
APPROVED = Q(status="approved")
CANDIDATE_INDEXES = [
    models.Index(F("campaign_price"), F("id"), condition=APPROVED, name="bench_price_idx"),
    models.Index(F("reviewed_at").desc(), F("id").desc(), condition=APPROVED, name="bench_new_idx"),
    models.Index(
        F("promotion_stock").desc(), F("id").desc(), condition=APPROVED, name="bench_stock_idx"
    ),
]
# Deletion order for SQLite; PostgreSQL truncates the same tables with CASCADE.
OWN_MODELS = [SampleRequest, AssortmentItem, Assortment, RosterMembership, Enrollment]
OWN_MODELS += [Campaign, Product, Token, User, Organisation]
ADJECTIVES = "silk linen cotton wool velvet denim leather bamboo ceramic glass oak walnut copper"
ADJECTIVES += " pearl jade gold silver matte vintage classic slim cropped pleated floral striped"
NOUNS = "dress blouse cardigan scarf tote backpack necklace earrings mug teapot duvet pillow"
NOUNS += " organiser serum lipstick cookies green-tea sneakers jacket skirt"
BATCH = 5000


def wipe() -> None:
    benchdb.wipe(OWN_MODELS)


def organisations(role: str, count: int) -> list[Organisation]:
    return Organisation.objects.bulk_create(
        Organisation(name=f"Bench {role} {i}", role=role, status="active") for i in range(count)
    )


def make_campaigns(providers: list[Organisation], today) -> list[Campaign]:
    """Per provider two ongoing campaigns and one whose promotion ended last month."""
    rows = []
    for provider in providers:
        for k in range(3):
            start = today - timedelta(days=10 if k < 2 else 60)
            rows.append(Campaign(
                provider=provider, name=f"{provider.name} picks {k}",
                registration_start=start - timedelta(days=20),
                registration_end=start - timedelta(days=1), promotion_start=start,
                promotion_end=start + timedelta(days=30), status="ongoing" if k < 2 else "closed",
                min_commission_rate=Decimal("0.0500"), service_fee_rate=Decimal("0.1000"),
            ))  # fmt: skip
    return Campaign.objects.bulk_create(rows)


def make_products(rng: random.Random, merchants: list[Organisation], count: int) -> list[Product]:
    categories = list(Category.objects.all())
    adjectives, nouns = ADJECTIVES.split(), NOUNS.split()
    rows = [
        Product(
            merchant=merchants[i % len(merchants)], sku=f"SKU-{i:07d}",
            title=f"{rng.choice(adjectives).title()} {rng.choice(nouns)} {i}",
            category=rng.choice(categories), brand=f"Brand {rng.randrange(300)}",
            price=Decimal(f"{10 ** rng.uniform(1, 3):.2f}"), stock=rng.randrange(5000),
            sample_stock=rng.randrange(6), storefront_url=f"https://shop.example.com/item/{i}",
            image_url=f"https://img.example.com/{i}.jpg", status="active",
        )
        for i in range(count)
    ]  # fmt: skip
    return Product.objects.bulk_create(rows, batch_size=BATCH)


def make_enrollments(rng, products, campaigns, n: int) -> list[Enrollment]:
    """N approved rows and one in eleven pending/rejected; (campaign, product) never repeats."""
    now, rows = timezone.now(), []
    for i in range(n * 11 // 10):
        index = i % len(products)
        product = products[index]
        rows.append(Enrollment(
            campaign=campaigns[(index * 7 + i // len(products)) % len(campaigns)],
            product=product, service_fee_rate=Decimal("0.1000"),
            status=("pending", "rejected")[i % 2] if i % 11 == 10 else "approved",
            commission_rate=Decimal(rng.randrange(10, 81)) * Decimal("0.0050"),
            campaign_price=(product.price * rng.randrange(70, 96) / 100).quantize(Decimal("0.01")),
            promotion_stock=rng.randrange(3000),
            reviewed_at=now - timedelta(minutes=rng.randrange(60 * 24 * 30)),
        ))  # fmt: skip
    return Enrollment.objects.bulk_create(rows, batch_size=BATCH)


def share(provider, buyers, enrollments, size: int) -> None:
    mine = [e for e in enrollments if e.campaign.provider_id == provider.pk][:size]
    assortment = Assortment.objects.create(provider=provider, name=f"{provider.name} top {size}")
    assortment.buyers.set(buyers)
    AssortmentItem.objects.bulk_create(
        AssortmentItem(assortment=assortment, enrollment=e, position=k) for k, e in enumerate(mine)
    )


def build(n: int, seed: int = 7) -> dict[str, Client]:
    """Fill the database for size N; the benchmark and niche buyers' clients by label."""
    rng = random.Random(seed)
    providers = organisations(Role.PROVIDER, max(3, n // 200))
    merchants = organisations(Role.MERCHANT, max(5, n // 100))
    buyer, niche, *others = organisations(Role.BUYER, 22)
    campaigns = make_campaigns(providers, timezone.localdate())
    products = make_products(rng, merchants, max(1, n // 2))
    approved = [e for e in make_enrollments(rng, products, campaigns, n) if e.status == "approved"]
    live = [e for e in approved if e.campaign.status == "ongoing"]
    rosters = [RosterMembership(provider=p, buyer=buyer, status="active") for p in providers[::3]]
    rosters.append(RosterMembership(provider=providers[-1], buyer=niche, status="active"))
    for other in others:
        for provider in rng.sample(providers, len(providers) // 3):
            status = rng.choice(["active", "ended"])
            rosters.append(RosterMembership(provider=provider, buyer=other, status=status))
    RosterMembership.objects.bulk_create(rosters)
    share(providers[1], [buyer], approved, 200)  # providers[1] is not on the buyer's roster
    for provider in providers[2:]:
        share(provider, rng.sample(others, 2), approved, 50)
    samples = [(buyer, e) for e in rng.sample(live, min(30, len(live)))]
    samples += [(other, e) for other in others for e in rng.sample(approved, n // 1000)]
    approve_by = timezone.now() + timedelta(days=2)
    SampleRequest.objects.bulk_create(
        SampleRequest(buyer=b, enrollment=e, approve_by=approve_by) for b, e in samples
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    clients = {}
    for label, organisation in (("", buyer), ("niche: ", niche)):
        user = User.objects.create(username=f"bench {label}{n}", organisation=organisation)
        token = Token.objects.create(user=user)
        clients[label] = Client(headers={"authorization": f"Token {token.key}"})
    return clients


def timed(run, requests: int, warmup: int = 3) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20, method="inclusive")[18]


def bare_list():
    rows = Enrollment.objects.filter(status="approved").order_by("-id")
    return list(rows[:50]), rows.count()


def measure(n: int, clients: dict[str, Client], requests: int, label: str = "") -> None:
    with CaptureQueriesContext(connection) as queries:
        bare_list()
    base, p95 = timed(bare_list, requests)
    print(f"{n:>7}  {'baseline' + label:<32}{base:>9.1f}{p95:>9.1f}{len(queries):>6}{1:>8.1f}x")
    for (who, client), (case, params) in itertools.product(clients.items(), CASES.items()):
        response = client.get(URL, params)
        assert response.status_code == 200, (case, response.status_code, response.content[:300])
        with CaptureQueriesContext(connection) as queries:
            client.get(URL, params)
        count = len(queries)  # read now: every request start empties the query log
        median, p95 = timed(lambda p=params, c=client: c.get(URL, p), requests)
        print(
            f"{n:>7}  {who + case + label:<32}{median:>9.1f}{p95:>9.1f}{count:>6}"
            f"{median / base:>8.1f}x{response.json()['count']:>8}"
        )


def plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def explain(client: Client, plans_file: str | None, params: dict | None = None) -> None:
    """EXPLAIN ANALYZE each query of a catalogue page that reads enrollments."""
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, params or {})
    texts = []
    for sql in (query["sql"] for query in queries if "matchmaking_enrollment" in query["sql"]):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0][0]
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            texts.append(sql + "\n" + "\n".join(row[0] for row in cursor.fetchall()))
        scans = sorted(
            node["Relation Name"]
            for node in plan_nodes(plan["Plan"])
            if node["Node Type"] == "Seq Scan" and node["Relation Name"] in BIG_TABLES
        )
        kind = "count" if sql.startswith("SELECT COUNT(*)") else "page"
        print(
            f"  {kind:<6} execution {plan['Execution Time']:>7.1f} ms; "
            f"seq scans on big tables: {', '.join(scans) or 'none'}"
        )
    if plans_file:
        Path(plans_file).write_text("\n\n".join(texts) + "\n")
        print(f"  full plans written to {plans_file}")


def with_candidate_indexes(n: int, clients: dict[str, Client], args, largest: bool) -> None:
    with connection.schema_editor() as editor:
        for index in CANDIDATE_INDEXES:
            editor.add_index(Enrollment, index)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE matchmaking_enrollment")
    measure(n, clients, args.requests, label=" +idx")
    if largest:
        print(f"# EXPLAIN ANALYZE with the candidate indexes, default sort, N={n}")
        explain(clients[""], args.plans and args.plans + ".idx")
    with connection.schema_editor() as editor:
        for index in CANDIDATE_INDEXES:
            editor.remove_index(Enrollment, index)


def run_size(n: int, args, largest: bool) -> None:
    wipe()
    start = time.perf_counter()
    clients = build(n)
    total = Enrollment.objects.count()
    print(f"# N={n}: {total} enrollments built in {time.perf_counter() - start:.1f}s")
    measure(n, clients, args.requests)
    postgres = connection.vendor == "postgresql"
    if largest and postgres:
        print(f"# EXPLAIN ANALYZE, default sort, N={n}")
        explain(clients[""], args.plans)
    if args.with_indexes and postgres:
        with_candidate_indexes(n, clients, args, largest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--with-indexes", action="store_true", help="measure again with them")
    parser.add_argument("--plans", help="write the full EXPLAIN ANALYZE text to this file")
    parser.add_argument("--allow-sqlite", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the last size's rows")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", "No directory at")  # whitenoise: static files not collected
    sizes = [int(size) for size in args.sizes.split(",")]
    prepare_database(allow_sqlite=args.allow_sqlite)
    print(f"{'N':>7}  {'case':<32}{'median':>9}{'p95':>9}{'SQL':>6}{'ratio':>9}{'rows':>8}")
    try:
        for n in sizes:
            run_size(n, args, largest=n == max(sizes))
    finally:
        if not args.keep:
            wipe()


if __name__ == "__main__":
    main()
