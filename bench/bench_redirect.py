"""Benchmark of the tracked-link redirect, GET /l/<code>, against a bare 302, under gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_redirect \
    REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/bench_redirect.py [--duration 10] [--connections 32] [--workers 3]

Two gunicorns in turn (with REDIS_URL: clicks into a stream of its own; without: one INSERT
each), each loaded with the bare 302 view of bench.bench_settings, then with the redirect;
wrk if installed, an asyncio client otherwise. Clicks stored are compared with requests sent.
bench/README.md tells the setup, the counting and the figures.
"""

# ruff: noqa: E402  (Django is set up before the models are imported)
import argparse
import asyncio
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STREAM = f"bench-clicks-{os.getpid()}"
BENCH_ENV = {"DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "127.0.0.1",
             "BEHIND_TLS_PROXY": "1",  # clicks read X-Forwarded-For: many client addresses
             "CLICK_STREAM": STREAM,
             "CACHE_KEY_PREFIX": f"bench-redirect-{os.getpid()}"}  # fmt: skip
os.environ.update(BENCH_ENV)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Organisation, Role
from bench.benchdb import prepare_database
from commissions import click_buffer
from commissions.models import AffiliateLink, Click
from matchmaking.models import Campaign, Enrollment
from merchants.models import Category, Product

CODE = "BenchRedirect1"
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
WRK_SCRIPT = """
local ua = "%(ua)s"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) sent = 0; redirected = 0 end
function request()
  sent = sent + 1
  local k = math.random(%(ips)d) - 1
  local ip = string.format("10.%%d.%%d.%%d", math.floor(k / 65536), math.floor(k / 256) %% 256,
    k %% 256)
  -- headers given to wrk.format replace wrk.headers: the user agent goes in again
  return wrk.format(nil, nil, {["User-Agent"] = ua, ["X-Forwarded-For"] = ip})
end
function response(status, headers, body)
  if status == 302 then redirected = redirected + 1 end
end
function done(summary, latency, requests)
  -- wrk calls request() once on the first thread's state to check the script: not sent
  local s, r = -1, 0
  for _, t in ipairs(threads) do s = s + t:get("sent"); r = r + t:get("redirected") end
  local e = summary.errors
  io.write(string.format('RESULT {"sent": %%d, "redirected": %%d, "completed": %%d, ' ..
    '"seconds": %%f, "p50": %%f, "p99": %%f, "errors": %%d}\\n', s, r, summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def make_link() -> AffiliateLink:
    """A buyer's link to an approved enrollment in an ongoing campaign (reused on later runs)."""
    today = timezone.localdate()
    link = AffiliateLink.objects.filter(code=CODE).first()
    if link is None:
        org = {role: Organisation.objects.create(name=f"Bench redirect {role}", role=role,
                                                 status="active")
               for role in (Role.MERCHANT, Role.PROVIDER, Role.BUYER)}  # fmt: skip
        product = Product.objects.create(
            merchant=org[Role.MERCHANT], sku="BENCH-REDIRECT", title="Linen dress",
            category=Category.objects.order_by("pk").first(), price=Decimal("199.00"),
            stock=500, storefront_url="https://shop.example.com/item/bench?ref=x", status="active",
        )  # fmt: skip
        campaign = Campaign.objects.create(
            provider=org[Role.PROVIDER], name="Bench redirect picks", status="ongoing",
            registration_start=today - timedelta(days=20), registration_end=today,
            promotion_start=today, promotion_end=today + timedelta(days=3650),
            min_commission_rate=Decimal("0.0500"), service_fee_rate=Decimal("0.1000"),
        )  # fmt: skip
        enrollment = Enrollment.objects.create(
            campaign=campaign, product=product, status="approved", reviewed_at=timezone.now(),
            commission_rate=Decimal("0.2000"), service_fee_rate=Decimal("0.1000"),
            campaign_price=Decimal("159.00"), promotion_stock=200,
        )  # fmt: skip
        link = AffiliateLink(code=CODE, buyer=org[Role.BUYER], enrollment=enrollment)
    link.expires_at = timezone.now() + timedelta(days=90)
    link.save()
    return link


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/bare/up")
        return conn.getresponse().status == 302
    except OSError:
        return False
    finally:
        conn.close()


@contextmanager
def gunicorn(workers: int, redis_url: str, logdir: Path):
    env = {**os.environ, "REDIS_URL": redis_url, "CLICK_BUFFER_URL": redis_url}
    port = free_port()
    command = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi:application", "--workers",
               str(workers), "--bind", f"127.0.0.1:{port}", "--env",
               "DJANGO_SETTINGS_MODULE=bench.bench_settings", "--access-logfile",
               logdir / "access.log"]  # fmt: skip
    output = (logdir / "gunicorn.out").open("ab")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        for _ in range(100):
            if answers(port):
                break
            time.sleep(0.2)
        else:
            sys.exit("gunicorn did not answer:\n" + (logdir / "gunicorn.out").read_text()[-3000:])
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        output.close()


def run_wrk(url: str, seconds: int, connections: int, ips: int, workdir: Path) -> dict:
    script = workdir / "count.lua"
    script.write_text(WRK_SCRIPT % {"ua": USER_AGENT, "ips": ips})
    output = subprocess.run(
        ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s",
         "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(output.split("RESULT ", 1)[1])


async def python_load(port: int, path: str, seconds: float, connections: int, ips: int) -> dict:
    """Closed loop, one request per connection (sync gunicorn closes it): counts exactly."""
    stats = {"sent": 0, "redirected": 0, "errors": 0}
    latencies: list[float] = []
    rng = random.Random(1)
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < deadline:
            k = rng.randrange(ips)
            ip = f"10.{k // 65536}.{k // 256 % 256}.{k % 256}"
            request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {USER_AGENT}\r\n"
                       f"X-Forwarded-For: {ip}\r\nConnection: close\r\n\r\n")  # fmt: skip
            started = time.perf_counter()
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(request.encode())
                stats["sent"] += 1
                data = await reader.read()
                writer.close()
            except OSError:
                stats["errors"] += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            stats["redirected" if data[9:12] == b"302" else "errors"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    latencies.sort()
    return {**stats, "completed": len(latencies), "seconds": time.perf_counter() - started,
            "p50": latencies[len(latencies) // 2],
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}  # fmt: skip


def load(port: int, path: str, seconds: float, args, workdir: Path) -> dict:
    if args.python_client or not shutil.which("wrk"):
        return asyncio.run(python_load(port, path, seconds, args.connections, args.ips))
    return run_wrk(f"http://127.0.0.1:{port}{path}", seconds, args.connections, args.ips, workdir)


class Flusher:
    """Does beat's job during the run: click_buffer.flush() every ``period`` seconds."""

    def __init__(self, period: float):
        self.period, self.stored, self.seconds = period, 0, 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def flush_once(self) -> None:
        started = time.perf_counter()
        stored = click_buffer.flush()
        self.stored += stored
        self.seconds += time.perf_counter() - started

    def loop(self) -> None:
        while not self.stop.wait(self.period):
            self.flush_once()
        connection.close()

    def drain(self) -> None:
        """Stop the periodic flush, then flush until the stream is empty."""
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()
        redis = click_buffer.client(click_buffer.buffer_url(), purpose="worker")
        while redis.xlen(STREAM):
            self.flush_once()


def reset_clicks(link: AffiliateLink) -> None:
    if click_buffer.enabled():
        Flusher(0).drain()
    Click.objects.filter(link=link).delete()


def measure_server(mode: str, redis_url: str, link: AffiliateLink, args, workdir: Path) -> list:
    """Bare view and redirect on one gunicorn; returns two result rows."""
    with gunicorn(args.workers, redis_url, workdir) as port:
        for path in ("/bare/warm", f"/l/{CODE}"):
            load(port, path, args.warmup, args, workdir)
        bare = load(port, "/bare/x", args.duration, args, workdir)
        reset_clicks(link)  # the warm-up's clicks
        access_log = workdir / "access.log"
        log_offset = access_log.stat().st_size
        flusher = Flusher(args.flush_every) if redis_url else None
        if flusher and args.flush_every > 0:
            flusher.thread.start()
        real = load(port, f"/l/{CODE}", args.duration, args, workdir)
        time.sleep(1.0)  # requests wrk wrote just before it stopped are still being answered
    with access_log.open("rb") as log:
        log.seek(log_offset)
        real["answered"] = sum(1 for line in log if b'"GET /l/' in line and b'" 302 ' in line)
    if flusher:
        flusher.drain()
        real["flush"] = (flusher.stored, flusher.seconds)
    real["clicks"] = Click.objects.filter(link=link).aggregate(
        total=Count("pk"), duplicates=Count("pk", filter=Q(is_duplicate=True)),
        bots=Count("pk", filter=Q(is_bot=True)),
    )  # fmt: skip
    return [(f"bare 302 ({mode} server)", bare, None), (f"redirect, {mode}", real, bare)]


def report(rows: list) -> bool:
    print(f"\n{'target':<32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} {'errors':>6}")
    for name, r, bare in rows:
        rps = r["completed"] / r["seconds"]
        ratio = f"{rps / (bare['completed'] / bare['seconds']):.2f}" if bare else ""
        print(f"{name:<32} {rps:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} {ratio:>6}"
              f" {r['errors']:>6}")  # fmt: skip
    equal = True
    for name, r, _ in rows[1::2]:
        c = r["clicks"]
        equal &= c["total"] == r["sent"]
        print(f"\n{name}: clicks recorded: {c['total']} / requests sent: {r['sent']}"
              f" -> {'EQUAL' if c['total'] == r['sent'] else 'MISMATCH'}")  # fmt: skip
        print(f"  302 received {r['redirected']}, 302 answered by gunicorn {r['answered']};"
              f" stored as duplicates {c['duplicates']}, as bots {c['bots']}")  # fmt: skip
        if "flush" in r:
            stored, took = r["flush"]
            print(f"  flush: {stored} clicks in {took:.1f} s ({stored / max(took, 1e-9):.0f}/s)")
    return equal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per target")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3, help="as docker-compose.yml's web")
    parser.add_argument("--ips", type=int, default=1000, help="distinct client addresses")
    parser.add_argument("--warmup", type=int, default=2, help="seconds per target")
    parser.add_argument("--flush-every", type=float, default=10.0, help="0: only after the run")
    parser.add_argument("--python-client", action="store_true", help="even when wrk is there")
    args = parser.parse_args()
    prepare_database()
    link = make_link()
    redis_url = os.environ.get("REDIS_URL", "")
    client = "python asyncio" if args.python_client or not shutil.which("wrk") else "wrk"
    print(f"{client}, {args.connections} connections, {args.duration:g} s per target; "
          f"gunicorn --workers {args.workers} (sync); {os.cpu_count()} CPUs")  # fmt: skip
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-redirect-") as tmp:
        try:
            if redis_url:
                rows += measure_server("Redis stream", redis_url, link, args, Path(tmp))
            else:
                print("REDIS_URL is not set: measuring the direct INSERT only.")
            rows += measure_server("direct INSERT", "", link, args, Path(tmp))
        finally:
            if redis_url:
                click_buffer.client(redis_url, purpose="worker").delete(STREAM)
    sys.exit(0 if report(rows) else 1)


if __name__ == "__main__":
    main()
