"""bin/rehearse: production, rehearsed on a machine without a container engine.

Reads docker-compose.yml and the Dockerfile, builds what the image holds (the build context
through .dockerignore, a fresh virtualenv of the runtime requirements only, the Dockerfile's
collectstatic and compilemessages with DEBUG=0), starts what compose starts (PgBouncer, Redis,
migrate, two web replicas, a Celery worker and beat, Caddy with the project's Caddyfile) with
each service's own command and environment, drives the marketplace through the proxy only,
runs every health check, and stops everything it started.
"""

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from deploy.rehearsal import journey
from deploy.rehearsal.compose import Service, build_steps, copy_context, read_services
from deploy.rehearsal.infrastructure import (
    PG_HOST,
    PG_PORT,
    Database,
    Pooler,
    psql,
    start_caddy,
    start_pgbouncer,
    start_redis,
)
from deploy.rehearsal.stack import RehearsalFailed, Stack, free_port, run, wait_until

ROOT = Path(__file__).resolve().parents[2]
TEST_TOOLS = {"pytest", "pytest-django", "playwright", "schemathesis", "hypothesis", "ruff",
              "factory-boy"}  # fmt: skip
OPERATOR = "operator"
DOMAIN = "market.example.com"  # what an operator would set for production
BURST = 40  # concurrent API clients, more than the web replicas have workers


def say(message: str) -> None:
    print(f"[rehearse {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Rehearsal:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.stack = Stack(workdir)
        self.app = workdir / "app"
        self.venv = workdir / "venv"
        self.secret_key = secrets.token_urlsafe(50)
        self.webhook_secret = secrets.token_urlsafe(32)
        self.operator_password = secrets.token_urlsafe(18)
        self.database: Database | None = None
        self.addresses: dict[str, tuple[str, int]] = {}
        self.proxy_admin = ""

    # --- what compose would be given, and where its host names point here ---------------

    def variables(self) -> dict[str, str]:
        """The shell environment `docker compose up` would see (.env): secrets only."""
        return {
            "SECRET_KEY": self.secret_key,
            "ORDER_WEBHOOK_SECRET": self.webhook_secret,
            "POSTGRES_PASSWORD": self.database.password,
        }

    def mapped(self, value: str) -> str:
        """A service URL of compose's network (postgres, pgbouncer, redis) pointed at this
        rehearsal's own instance, database and role."""
        parts = urlsplit(value)
        if parts.scheme not in {"postgres", "postgresql", "redis"}:
            return value
        if parts.hostname not in self.addresses:
            return value
        host, port = self.addresses[parts.hostname]
        if parts.scheme == "redis":
            return urlunsplit((parts.scheme, f"{host}:{port}", parts.path, "", ""))
        name = self.database.name
        netloc = f"{name}:{parts.password or ''}@{host}:{port}"
        return urlunsplit((parts.scheme, netloc, f"/{name}", parts.query, ""))

    def env_of(self, service: Service, **extra: str) -> dict[str, str]:
        """The service's compose environment, and only that (plus PATH and a home): nothing of
        the caller's environment leaks in, as nothing of the host leaks into a container."""
        env = {key: self.mapped(value) for key, value in service.environment.items()}
        return {
            **env,
            "PATH": f"{self.venv / 'bin'}:{os.environ['PATH']}",
            "HOME": str(self.workdir),
            "LANG": "C.UTF-8",
            "HOSTNAME": socket.gethostname(),
            **extra,
        }

    def command_of(self, service: Service) -> list[str]:
        """A container's /tmp is its own; here it is the rehearsal's folder."""
        tmp = self.workdir / "tmp"
        tmp.mkdir(exist_ok=True)
        return [part.replace("/tmp/", f"{tmp}/") for part in service.command]  # noqa: S108

    # --- the image ------------------------------------------------------------------------

    def build_image(self) -> None:
        copied = copy_context(ROOT, self.app)
        say(f"build context: {copied} files through .dockerignore")
        run([sys.executable, "-m", "venv", str(self.venv)], env=dict(os.environ), cwd=self.app,
            what="python -m venv")  # fmt: skip
        pip = [str(self.venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
        started = time.monotonic()
        run([*pip, "-r", "requirements.txt"], env=dict(os.environ), cwd=self.app,
            what="pip install -r requirements.txt")  # fmt: skip
        say(f"runtime requirements installed in {time.monotonic() - started:.0f} s")
        listed = run([str(self.venv / "bin" / "pip"), "list", "--format=json"],
                     env=dict(os.environ), cwd=self.app, what="pip list")  # fmt: skip
        installed = {package["name"].lower() for package in json.loads(listed.stdout)}
        leaked = sorted(installed & TEST_TOOLS)
        if leaked:
            raise RehearsalFailed(f"the runtime requirements install test tools: {leaked}")
        env = {"PATH": f"{self.venv / 'bin'}:{os.environ['PATH']}", "HOME": str(self.workdir)}
        for step in build_steps(ROOT / "Dockerfile"):
            run(["bash", "-c", step], env=env, cwd=self.app, what=f"RUN {step}")
            say(f"RUN {step[:90]}...")

    def check_deploy(self, web: Service) -> None:
        """Django's deployment checklist for the web service as compose configures it for a
        real domain (HTTPS, secure cookies, HSTS): no warning at all."""
        argv = ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
        run(argv, env=self.env_of(web), cwd=self.app, what="manage.py check --deploy")

    # --- services ---------------------------------------------------------------------------

    def start(self, services: dict[str, Service]) -> tuple[Pooler, list[int], int]:
        self.addresses["postgres"] = (PG_HOST, PG_PORT)
        redis_port = start_redis(self.stack, services["redis"], self.workdir)
        self.addresses["redis"] = ("127.0.0.1", redis_port)
        pooler = start_pgbouncer(self.stack, services["pgbouncer"], self.database, self.workdir)
        self.addresses["pgbouncer"] = (PG_HOST, pooler.port)
        if pooler.via_pgbouncer:
            say("PgBouncer (transaction pooling) in front of PostgreSQL")
        else:
            say("PgBouncer is not installed: the application talks to PostgreSQL directly")

        migrate = services["migrate"]
        run(self.command_of(migrate), env=self.env_of(migrate), cwd=self.app, what="migrate")
        say("migrate: done")
        web = services["web"]
        run(["python", "manage.py", "createsuperuser", "--noinput", "--username", OPERATOR,
             "--email", "operator@example.com"],
            env=self.env_of(web, DJANGO_SUPERUSER_PASSWORD=self.operator_password),
            cwd=self.app, what="createsuperuser")  # fmt: skip

        replicas = [free_port(), free_port()]
        for index, port in enumerate(replicas, start=1):
            # The one setting changed from compose: every settlement goes to the worker, so
            # that the rehearsal sees the worker do it (compose runs small ones in the request).
            env = self.env_of(web, WEB_HOST="127.0.0.1", WEB_PORT=str(port),
                              SETTLEMENT_SYNC_MAX_LINES="0")  # fmt: skip
            self.stack.start(f"web-{index}", self.command_of(web), env=env, cwd=self.app)
        for name in ("worker", "beat"):
            service = services[name]
            self.stack.start(name, self.command_of(service), env=self.env_of(service),
                             cwd=self.app)  # fmt: skip
        caddyfile = self.app / services["proxy"].volume_source("/etc/caddy/Caddyfile")
        proxy = start_caddy(self.stack, services["proxy"], caddyfile=caddyfile,
                            upstreams=replicas, workdir=self.workdir)  # fmt: skip
        self.proxy_admin = proxy.admin
        return pooler, replicas, proxy.port

    def health_checks(self, services, *, pooler: Pooler, replicas: list[int]) -> list[str]:
        """Every compose health check, run as the container would run it; the variables say
        where its own service is here (compose's defaults are the container's ports)."""
        places = {
            "postgres": [{"PGHOST": PG_HOST, "PGPORT": str(PG_PORT)}],
            "pgbouncer": [{"PGHOST": PG_HOST, "PGPORT": str(pooler.port)}],
            "redis": [{"REDIS_PORT": str(self.addresses["redis"][1])}],
            "proxy": [{"CADDY_ADMIN": self.proxy_admin}],
            "web": [{"WEB_PORT": str(port)} for port in replicas],
        }
        passed = []
        for name, service in services.items():
            if service.healthcheck is None:
                continue
            if name == "pgbouncer" and not pooler.via_pgbouncer:
                continue
            for extra in places.get(name, [{}]):
                argv, env = service.healthcheck.argv, self.env_of(service, **extra)

                def healthy(argv=argv, env=env) -> bool:
                    self.stack.check_alive()
                    done = subprocess.run(argv, env=env, cwd=self.app, capture_output=True,
                                          timeout=60, check=False)  # fmt: skip
                    return done.returncode == 0

                # Beat's check passes once the worker has stamped beat's first heartbeat.
                wait_until(healthy, seconds=120, what=f"{name}'s health check {argv}")
                passed.append(f"{name}{' ' + str(extra) if len(places.get(name, [])) > 1 else ''}")
        return passed


def check_compose_shape(services: dict[str, Service]) -> None:
    """What compose must hold before anything runs: one published entrance, and proxy
    headers trusted only where a proxy stands in front."""
    published = sorted(name for name, service in services.items() if service.ports)
    journey.check(published == ["proxy"], f"only the proxy publishes ports, not {published}")
    for name, service in services.items():
        trusts = service.environment.get("BEHIND_TLS_PROXY", "0") not in {"", "0"}
        journey.check(trusts == (name == "web"), f"{name}: BEHIND_TLS_PROXY only for web")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the folder and its logs")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="rehearsal-"))
    rehearsal = Rehearsal(workdir)
    started = time.monotonic()
    try:
        rehearsal.database = Database.create()
        return rehearse(rehearsal, started)
    except (RehearsalFailed, subprocess.TimeoutExpired) as failure:
        say(f"FAILED: {failure}")
        print(rehearsal.stack.report(), flush=True)
        return 1
    finally:
        clean_up(rehearsal, keep=args.keep)


def clean_up(rehearsal: Rehearsal, *, keep: bool) -> None:
    """Stop every process, drop the database and its role, remove the folder (or keep it)."""
    try:
        say(f"stopped the {rehearsal.stack.stop_all()} processes it started")
    finally:
        if rehearsal.database is not None:
            rehearsal.database.drop()
        if keep:
            say(f"kept {rehearsal.workdir}")
        else:
            shutil.rmtree(rehearsal.workdir, ignore_errors=True)


def rehearse(rehearsal: Rehearsal, started: float) -> int:
    services = read_services(ROOT / "docker-compose.yml", rehearsal.variables())
    check_compose_shape(services)
    rehearsal.build_image()
    production = read_services(
        ROOT / "docker-compose.yml", {**rehearsal.variables(), "DOMAIN": DOMAIN}
    )
    rehearsal.check_deploy(production["web"])
    say(f"manage.py check --deploy is clean for web with DOMAIN={DOMAIN}")
    pooler, replicas, proxy_port = rehearsal.start(services)
    client = journey.Client(proxy_port)
    wait_until(lambda: rehearsal.stack.check_alive() or
               client.request("GET", "/health/").status == 200,
               seconds=60, what="/health/ through the proxy")  # fmt: skip
    say(f"up: proxy on :{proxy_port}, web replicas on {replicas}")
    say(f"pages render from the collected manifest: {journey.check_pages(client)}")

    people = journey.sign_up_everyone(client, rehearsal.operator_password, OPERATOR)
    say("signed up a merchant, a buyer and a provider; the operator approved the provider")
    link = journey.list_product_to_link(client, people)
    say(f"product, campaign, enrollment, roster and link {link['code']}")
    click_ids = [journey.click(client, link["code"], forged)
                 for forged in journey.FORGED_ADDRESSES]  # fmt: skip
    check_clicks(rehearsal)
    say("the redirect's clicks reached the database through the stream; forged "
        "X-Forwarded-For did not change the stored address hash")  # fmt: skip
    check_money(client, people, click_ids[0], rehearsal.webhook_secret)
    served = [replica for replica, name in enumerate(("web-1", "web-2"), start=1)
              if "GET /" in journey_log(rehearsal, name)]  # fmt: skip
    journey.check(served == [1, 2], f"the proxy spread requests over both replicas: {served}")
    passed = rehearsal.health_checks(services, pooler=pooler, replicas=replicas)
    say(f"health checks passed: {', '.join(passed)}")
    held = busiest_connections(rehearsal, client, people.buyer)
    if pooler.via_pgbouncer:
        journey.check(held <= pooler.pool_size, f"{held} PostgreSQL connections > the pool")
    say(f"{BURST} concurrent API clients: PostgreSQL held at most {held} connections for "
        f"the application (PgBouncer's pool: at most {pooler.pool_size})")  # fmt: skip
    say(f"PASSED in {time.monotonic() - started:.0f} s")
    return 0


def busiest_connections(rehearsal: Rehearsal, client, token: str) -> int:
    """The most server connections PostgreSQL held for the application while BURST clients
    asked the API at once, sampled as they went. Every request must answer 200."""
    failures: list[str] = []

    def ask() -> None:
        try:
            for _ in range(5):
                client.expect(200, "GET", "/api/v1/catalogue/", token=token)
        except RehearsalFailed as failure:
            failures.append(str(failure))

    threads = [threading.Thread(target=ask) for _ in range(BURST)]
    for thread in threads:
        thread.start()
    peak = 0
    while any(thread.is_alive() for thread in threads):
        peak = max(peak, rehearsal.database.server_connections())
        time.sleep(0.05)
    journey.check(not failures, f"{len(failures)} requests of the burst failed: {failures[:3]}")
    return peak


def journey_log(rehearsal: Rehearsal, name: str) -> str:
    return rehearsal.stack.log_of(name).read_text(errors="replace")


def check_clicks(rehearsal: Rehearsal) -> None:
    database = rehearsal.database.name
    sql = "SELECT ip_hash || ' ' || is_duplicate FROM commissions_click ORDER BY id"

    def stored() -> bool:
        rehearsal.stack.check_alive()
        return len(psql(sql, database=database).splitlines()) == len(journey.FORGED_ADDRESSES)

    wait_until(stored, seconds=60, what="beat and the worker flushing the clicks")
    rows = [row.split() for row in psql(sql, database=database).splitlines()]
    proxy_saw = journey.hashed_address("127.0.0.1", rehearsal.secret_key)
    journey.check(
        all(ip_hash == proxy_saw for ip_hash, _ in rows),
        "every click is hashed from the address the proxy saw, whatever the client claimed",
    )
    flags = [flag for _, flag in rows]
    journey.check(flags == ["false", "true"], f"the second visit is a duplicate: {flags}")


def check_money(client, people, click_id: str, secret: str) -> None:
    for number, kind in enumerate(("paid", "confirmed"), start=1):
        journey.post_webhook(client, journey.order_event(kind, click_id, f"reh-{number}"), secret)
    line = client.expect(200, "GET", "/api/v1/commissions/", token=people.buyer).json()
    split = line["results"][0]
    figures = (split["buyer_net"], split["provider_net"], split["platform_fee"],
               split["merchant_pays"])  # fmt: skip
    journey.check(figures == ("18.00", "9.00", "3.00", "30.00"), f"the split: {figures}")
    say("signed webhook order attributed: buyer 18.00, provider 9.00, platform 3.00")
    run = journey.settle_in_worker(client, people.operator)
    journey.check((run["status"], run["settled"]) == ("succeeded", 1), f"settlement: {run}")
    owed = (
        journey.balances(client, people.buyer).get("buyer_earnings"),
        journey.balances(client, people.provider).get("provider_fees"),
        journey.balances(client, people.merchant).get("merchant_payable"),
        journey.balances(client, people.operator).get("platform_revenue"),
    )
    journey.check(owed == ("18.00", "9.00", "-30.00", "3.00"), f"ledger balances: {owed}")
    say("the worker settled the line; the ledger holds 18.00 / 9.00 / -30.00 / 3.00")


if __name__ == "__main__":
    sys.exit(main())
