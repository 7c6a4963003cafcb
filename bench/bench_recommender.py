"""Offline evaluation and speed of the recommender (matchmaking/scoring.py).

Run it against a dedicated PostgreSQL database (created if missing; its name must
contain "bench"; the rows it makes are truncated before and after):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scoring \
        .venv/bin/python bench/bench_recommender.py [--eval-size 3000] [--buyers 40] \
        [--speed-sizes 10000,100000]

Evaluation: a synthetic marketplace with HIDDEN buyer tastes: each buyer likes two
top-level categories (weights 1 and 0.6, others 0.05) and a price centre (log-normal
taste, sigma 0.5 in log price); each item has a hidden quality (log-normal) and buyers
favour commission money a little (^0.3); stock that cannot cover a buyer's typical
units sells proportionally less. The buyer's PROFILE only approximates this: its first
category always, its second one half the time, a wrong one 30 % of the time, and a
price band of centre/2..centre*2 with noise. Training: each buyer promoted 40 items
drawn by that hidden utility 45-120 days ago, with clicks and attributed orders (orders
follow the same utility) written as AffiliateLink / Click / Order / OrderLine rows.
Held out: the 20 items each buyer sells next (drawn by the same utility, never
written). precision@10 and NDCG@10 (binary relevance) of the recommender's top 10
against a popularity baseline (training order lines over all buyers) and a random one.

Speed: one buyer on every provider's roster, with a sales history; top 120 among N
approved ongoing enrollments through recommend_for_buyer (median of --runs, after a
warm-up), for each N of --speed-sizes. Then the lineup builder for 120 slots of a draft
livestream of that buyer, the whole service
(influencers.services.lineup_building.build_livestream_lineup: its recommender pool,
the features, the pure matchmaking.lineup_builder and the write), and the pure builder
alone on the gathered candidates, both as medians of --runs after a warm-up.
"""

# ruff: noqa: E402  (Django is set up before the models are imported)
import argparse
import math
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django

django.setup()

from django.db import connection
from django.utils import timezone

from accounts.models import Organisation, Role, User
from bench import benchdb
from bench.benchdb import prepare_database
from commissions.models import AffiliateLink, Click, Order, OrderLine
from influencers.lineup_builder import Constraints, build_lineup
from influencers.models import BuyerProfile, LineupSlot, Livestream
from influencers.services.lineup_building import build_livestream_lineup, gather_candidates
from matchmaking.models import Campaign, Enrollment, RecommendationScore, RosterMembership
from matchmaking.selectors.recommendations import recommend_for_buyer
from merchants.models import Category, Product

OWN_MODELS = [LineupSlot, Livestream, OrderLine, Order, Click, AffiliateLink]
OWN_MODELS += [RecommendationScore, BuyerProfile, RosterMembership, Enrollment, Campaign]
OWN_MODELS += [Product, User, Organisation]
BATCH = 5000
K = 10
HELD_OUT = 20
TRAINING_ITEMS = 40
SLOTS = 120


def wipe() -> None:
    benchdb.wipe(OWN_MODELS)


def analyse() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- the synthetic marketplace ------------------------------------------------


def organisations(role: str, count: int) -> list[Organisation]:
    return Organisation.objects.bulk_create(
        Organisation(name=f"Bench {role} {i}", role=role, status="active") for i in range(count)
    )


def make_catalogue(rng: random.Random, n: int) -> tuple[list[Enrollment], dict]:
    """N approved enrollments in ongoing campaigns; returns them and {category id: root id}."""
    today = timezone.localdate()
    providers = organisations(Role.PROVIDER, max(3, n // 2000))
    merchants = organisations(Role.MERCHANT, max(5, n // 200))
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            provider=p, name=f"Bench picks {p.pk}", registration_start=today - timedelta(days=40),
            registration_end=today - timedelta(days=20), promotion_start=today - timedelta(days=10),
            promotion_end=today + timedelta(days=60), status="ongoing",
            min_commission_rate=Decimal("0.0500"), service_fee_rate=Decimal("0.1000"),
        )
        for p in providers
    )  # fmt: skip
    categories = list(Category.objects.values_list("pk", "parent_id"))
    roots = {pk: parent or pk for pk, parent in categories}
    products = Product.objects.bulk_create(
        (
            Product(
                merchant=merchants[i % len(merchants)], sku=f"SKU-{i:07d}", title=f"Item {i}",
                category_id=rng.choice(categories)[0], brand="Bench",
                price=Decimal(f"{10 ** rng.uniform(1, 3):.2f}"), stock=5000, sample_stock=1,
                storefront_url=f"https://shop.example.com/item/{i}", status="active",
            )
            for i in range(n)
        ),
        batch_size=BATCH,
    )  # fmt: skip
    enrollments = Enrollment.objects.bulk_create(
        (
            Enrollment(
                campaign=campaigns[i % len(campaigns)], product=product, status="approved",
                commission_rate=Decimal(rng.randrange(10, 81)) * Decimal("0.0050"),
                service_fee_rate=Decimal("0.1000"), campaign_price=product.price,
                promotion_stock=int(10 ** rng.uniform(1.5, 3.7)),
            )
            for i, product in enumerate(products)
        ),
        batch_size=BATCH,
    )  # fmt: skip
    return enrollments, {"roots": roots, "providers": providers}


def make_buyers(rng: random.Random, count: int, world: dict) -> list[dict]:
    """Buyers with hidden tastes and the profile they would fill in."""
    root_ids = sorted(set(world["roots"].values()))
    buyers = []
    for org in organisations(Role.BUYER, count):
        liked = rng.sample(root_ids, 2)
        centre = 10 ** rng.uniform(1.5, 2.7)
        declared = {liked[0]} | ({liked[1]} if rng.random() < 0.5 else set())
        if rng.random() < 0.3:
            declared.add(rng.choice(root_ids))
        noise = math.exp(rng.gauss(0, 0.2))
        profile = BuyerProfile.objects.create(
            organisation=org, typical_units_per_livestream=int(10 ** rng.uniform(1.5, 3)),
            price_band_min=Decimal(f"{centre / 2 * noise:.2f}"),
            price_band_max=Decimal(f"{centre * 2 * noise:.2f}"),
        )  # fmt: skip
        profile.categories.set(declared)
        taste = {liked[0]: 1.0, liked[1]: 0.6}
        buyers.append({"org": org, "taste": taste, "centre": centre, "profile": profile})
    RosterMembership.objects.bulk_create(
        RosterMembership(provider=p, buyer=b["org"], status="active")
        for b in buyers
        for p in world["providers"]
    )
    return buyers


def utility(buyer: dict, item: Enrollment, world: dict) -> float:
    root = world["roots"][item.product.category_id]
    category = buyer["taste"].get(root, 0.05)
    price = math.exp(-((math.log(float(item.campaign_price) / buyer["centre"])) ** 2) / 0.5)
    money = float(item.campaign_price * item.commission_rate) ** 0.3
    units = buyer["profile"].typical_units_per_livestream
    stock = min(1.0, item.promotion_stock / units)
    return category * price * money * world["quality"][item.pk] * stock


def weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k distinct items, each drawn with probability proportional to its weight."""
    keyed = [(rng.random() ** (1.0 / w) if w > 0 else 0.0, i) for i, w in enumerate(weights)]
    return [items[i] for _, i in sorted(keyed, reverse=True)[:k]]


def simulate_training(rng: random.Random, buyers: list[dict], items: list, world: dict) -> None:
    now = timezone.now()
    links, clicks, history = [], [], []
    for b in buyers:
        weights = [utility(b, item, world) for item in items]
        b["weights"] = weights
        top = max(weights)
        for item in weighted_sample(rng, items, weights, TRAINING_ITEMS):
            link = AffiliateLink(
                buyer=b["org"], enrollment=item, code=f"B{len(links):09d}",
                expires_at=now + timedelta(days=30),
            )  # fmt: skip
            links.append(link)
            count = rng.randint(30, 100)
            rate = min(0.3, 0.12 * utility(b, item, world) / top)
            history.append((link, count, sum(rng.random() < rate for _ in range(count))))
    AffiliateLink.objects.bulk_create(links, batch_size=BATCH)
    AffiliateLink.objects.update(created_at=now - timedelta(days=120))
    orders, lines = [], []
    for link, count, sold in history:
        for n in range(count):
            moment = now - timedelta(days=rng.uniform(45, 120))
            clicks.append(
                Click(link=link, click_id=f"{link.code}-{n}", clicked_at=moment, ip_hash="b")
            )
        for n in range(sold):
            paid = now - timedelta(days=rng.uniform(45, 120))
            orders.append(Order(
                external_id=f"{link.code}-{n}", status="confirmed", paid_at=paid,
                confirmed_at=paid, merchant_id=link.enrollment.product.merchant_id,
            ))  # fmt: skip
            lines.append((link, paid))
    Click.objects.bulk_create(clicks, batch_size=BATCH)
    Order.objects.bulk_create(orders, batch_size=BATCH)
    OrderLine.objects.bulk_create(
        (
            OrderLine(
                order=order, position=1, sku=link.enrollment.product.sku, quantity=1,
                amount=link.enrollment.campaign_price, product_id=link.enrollment.product_id,
                link=link, attributed_at=paid,
            )
            for order, (link, paid) in zip(orders, lines, strict=True)
        ),
        batch_size=BATCH,
    )  # fmt: skip
    print(f"# training: {len(links)} links, {len(clicks)} clicks, {len(orders)} orders")


def build(rng: random.Random, n: int, buyer_count: int) -> tuple[list[dict], list, dict]:
    items, world = make_catalogue(rng, n)
    items = list(Enrollment.objects.select_related("product").order_by("pk"))
    world["quality"] = {item.pk: math.exp(rng.gauss(0, 0.5)) for item in items}
    buyers = make_buyers(rng, buyer_count, world)
    simulate_training(rng, buyers, items, world)
    analyse()
    return buyers, items, world


# --- evaluation -----------------------------------------------------------------


def precision_and_ndcg(ranked: list[int], relevant: set[int]) -> tuple[float, float]:
    hits = [1 if pk in relevant else 0 for pk in ranked[:K]]
    dcg = sum(hit / math.log2(rank + 2) for rank, hit in enumerate(hits))
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(K, len(relevant))))
    return sum(hits) / K, dcg / ideal if ideal else 0.0


def popularity_ranking(rng: random.Random, items: list) -> list[int]:
    sold: dict[int, int] = {}
    for enrollment_id in OrderLine.objects.values_list("link__enrollment_id", flat=True):
        sold[enrollment_id] = sold.get(enrollment_id, 0) + 1
    noise = {item.pk: rng.random() for item in items}
    return sorted(noise, key=lambda pk: (-sold.get(pk, 0), noise[pk]))[:K]


def evaluate(rng: random.Random, buyers: list[dict], items: list) -> None:
    popular = popularity_ranking(rng, items)
    ids = [item.pk for item in items]
    scores: dict[str, list[tuple[float, float]]] = {
        "recommender": [],
        "popularity": [],
        "random": [],
    }
    started = time.perf_counter()
    for b in buyers:
        relevant = {item.pk for item in weighted_sample(rng, items, b["weights"], HELD_OUT)}
        ranked = [rec.enrollment.pk for rec in recommend_for_buyer(buyer=b["org"], limit=K)]
        scores["recommender"].append(precision_and_ndcg(ranked, relevant))
        scores["popularity"].append(precision_and_ndcg(popular, relevant))
        scores["random"].append(precision_and_ndcg(rng.sample(ids, K), relevant))
    elapsed = (time.perf_counter() - started) / len(buyers) * 1000
    print(f"# {len(buyers)} buyers, {len(items)} enrollments, {HELD_OUT} held-out sales each")
    print(f"{'ranking':<14}{'precision@10':>14}{'NDCG@10':>10}")
    for name, rows in scores.items():
        precision = statistics.mean(row[0] for row in rows)
        ndcg = statistics.mean(row[1] for row in rows)
        print(f"{name:<14}{precision:>14.3f}{ndcg:>10.3f}")
    print(f"# recommender: {elapsed:.0f} ms per buyer (top 10, live)")


# --- speed ----------------------------------------------------------------------


def timed(runs: int, action) -> tuple[list[float], object]:
    """Milliseconds of ``runs`` calls of ``action`` after a warm-up, and its last result."""
    result = action()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        timings.append((time.perf_counter() - started) * 1000)
    return timings, result


def report(label: str, timings: list[float]) -> None:
    print(
        f"{label}: median {statistics.median(timings):.0f} ms, "
        f"max {max(timings):.0f} ms over {len(timings)} runs"
    )


def lineup_speed(buyer: Organisation, n: int, runs: int) -> None:
    user = User.objects.create(username=f"bench-buyer-{buyer.pk}", organisation=buyer)
    livestream = Livestream.objects.create(
        buyer=buyer, title="Bench lineup", scheduled_at=timezone.now() + timedelta(days=2),
        created_by=user,
    )  # fmt: skip
    timings, (_, plan) = timed(
        runs, lambda: build_livestream_lineup(by=user, livestream_id=livestream.pk, slots=SLOTS)
    )
    assert len(plan.slots) == SLOTS
    report(f"lineup {SLOTS} slots, {n:>7} enrollments", timings)
    candidates = gather_candidates(buyer=buyer, livestream=livestream)
    rules = Constraints(slots=SLOTS, typical_units=buyer.buyer_profile.typical_units_per_livestream)
    timings, _ = timed(runs, lambda: build_lineup(candidates, rules))
    report(f"  of which the pure builder on {len(candidates)} candidates", timings)


def speed(rng: random.Random, n: int, runs: int) -> None:
    wipe()
    started = time.perf_counter()
    buyers, _, _ = build(rng, n, 1)
    print(f"# N={n}: built in {time.perf_counter() - started:.0f}s")
    buyer = buyers[0]["org"]
    timings, ranked = timed(runs, lambda: recommend_for_buyer(buyer=buyer, limit=SLOTS))
    assert len(ranked) == SLOTS
    report(f"top {SLOTS} among {n:>7} enrollments", timings)
    lineup_speed(buyer, n, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-size", type=int, default=3000)
    parser.add_argument("--buyers", type=int, default=40)
    parser.add_argument("--speed-sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--skip-eval", action="store_true")
    parser.add_argument("--allow-sqlite", action="store_true")
    args = parser.parse_args()
    prepare_database(allow_sqlite=args.allow_sqlite)
    rng = random.Random(args.seed)
    try:
        if not args.skip_eval:
            wipe()
            buyers, items, _ = build(rng, args.eval_size, args.buyers)
            evaluate(rng, buyers, items)
        for n in (int(size) for size in args.speed_sizes.split(",") if size):
            speed(rng, n, args.runs)
    finally:
        wipe()


if __name__ == "__main__":
    main()
