"""What compose runs from other images, here from this machine's own packages: a database and
role of the rehearsal's own on the local PostgreSQL, PgBouncer configured from the compose
service's environment, a private Redis started with compose's command, and Caddy with the
project's Caddyfile.
"""

import os
import pwd
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from deploy.rehearsal.compose import Service
from deploy.rehearsal.stack import RehearsalFailed, Stack, free_port, port_answers, wait_until

PG_HOST, PG_PORT = "127.0.0.1", 5432


def psql(sql: str, *, database: str = "postgres") -> str:
    """One statement as the local superuser (trust on 127.0.0.1); its rows as text."""
    done = subprocess.run(
        ["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", "postgres", "-d", database,
         "-v", "ON_ERROR_STOP=1", "-Atqc", sql],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RehearsalFailed(f"psql: {sql[:80]}...: {done.stderr.strip()}")
    return done.stdout.strip()


@dataclass
class Database:
    """compose's postgres service: here a database and a login role of the rehearsal's own,
    with a password (the application reaches PostgreSQL through PgBouncer, which checks it)."""

    name: str
    password: str

    @classmethod
    def create(cls) -> "Database":
        database = cls(name=f"rehearsal_{secrets.token_hex(4)}", password=secrets.token_hex(16))
        psql(f"CREATE ROLE {database.name} LOGIN PASSWORD '{database.password}'")
        psql(f"CREATE DATABASE {database.name} OWNER {database.name}")
        return database

    def drop(self) -> None:
        psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        psql(f"DROP ROLE IF EXISTS {self.name}")

    def server_connections(self) -> int:
        """Connections PostgreSQL holds open for this database, whoever opened them."""
        sql = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{self.name}'"
        return int(psql(sql))


@dataclass
class Pooler:
    """PgBouncer in front of the database, or the database itself when PgBouncer is not
    installed (said so in the summary)."""

    port: int
    pool_size: int
    via_pgbouncer: bool


def start_pgbouncer(stack: Stack, service: Service, database: Database, workdir: Path) -> Pooler:
    """PgBouncer with the compose service's settings (POOL_MODE, DEFAULT_POOL_SIZE, ...:
    the image turns each variable into the ini key of the same name in lower case)."""
    settings = {
        key.lower(): value
        for key, value in service.environment.items()
        if key not in {"DATABASE_URL", "DATABASE_URLS"} and value != ""
    }
    pool_size = int(settings.get("default_pool_size", 20)) + int(
        settings.get("reserve_pool_size", 0)
    )
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        return Pooler(port=PG_PORT, pool_size=pool_size, via_pgbouncer=False)
    folder = workdir / "pgbouncer"
    folder.mkdir()
    port = free_port()
    userlist = folder / "userlist.txt"
    userlist.write_text(f'"{database.name}" "{database.password}"\n')
    lines = [
        "[databases]",
        f"{database.name} = host={PG_HOST} port={PG_PORT} dbname={database.name}",
        "[pgbouncer]",
        f"listen_addr = {PG_HOST}",
        f"listen_port = {port}",
        "unix_socket_dir =",
        f"auth_file = {userlist}",
        *(f"{key} = {value}" for key, value in sorted(settings.items())),
    ]
    if os.geteuid() == 0:
        # PgBouncer refuses to run as root; as the image does, it becomes "postgres".
        lines.append("user = postgres")
        owner = pwd.getpwnam("postgres")
        for path in (folder, userlist):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        workdir.chmod(0o755)
    ini = folder / "pgbouncer.ini"
    ini.write_text("\n".join(lines) + "\n")
    stack.start("pgbouncer", [binary, str(ini)], env={"PATH": os.environ["PATH"]}, cwd=folder)
    wait_until(lambda: port_answers(port), seconds=15, what="PgBouncer listening")
    return Pooler(port=port, pool_size=pool_size, via_pgbouncer=True)


def start_redis(stack: Stack, service: Service, workdir: Path) -> int:
    """compose's redis command (append-only file on), on a free port of the rehearsal's."""
    folder = workdir / "redis"
    folder.mkdir()
    port = free_port()
    argv = [*service.command, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    stack.start("redis", argv, env={"PATH": os.environ["PATH"]}, cwd=folder)
    wait_until(lambda: port_answers(port), seconds=15, what="Redis listening")
    return port


@dataclass
class Proxy:
    port: int
    admin: str


def start_caddy(
    stack: Stack, service: Service, *, caddyfile: Path, upstreams: list[int], workdir: Path
) -> Proxy:
    """Caddy with the project's Caddyfile and the compose service's environment; the site
    on a free port (plain HTTP, as compose's trial without DOMAIN), the replicas listed."""
    folder = workdir / "caddy"
    folder.mkdir()
    proxy = Proxy(port=free_port(), admin=f"localhost:{free_port()}")
    env = {
        **service.environment,
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "SITE_ADDRESS": f":{proxy.port}",
        "CADDY_ADMIN": proxy.admin,
        "WEB_UPSTREAMS": "to " + " ".join(f"127.0.0.1:{port}" for port in upstreams),
    }
    argv = ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"]
    stack.start("proxy", argv, env=env, cwd=folder)
    wait_until(lambda: port_answers(proxy.port), seconds=20, what="Caddy listening")
    return proxy
