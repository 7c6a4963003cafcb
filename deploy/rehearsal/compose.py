"""What docker-compose.yml and the Dockerfile say, read as compose and docker would read them:
services with their commands, environment and health checks after variable interpolation,
the Dockerfile's build steps, and the build context through .dockerignore.

Nothing here runs anything; the rehearsal takes these and runs them on this machine.
"""

import fnmatch
import os
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message},
# ${NAME:+replacement}, ${NAME+replacement}, $NAME, $$ (not nested: this file does not nest).
VARIABLE = re.compile(
    r"\$(?:(?P<dollar>\$)|\{(?P<name>[A-Za-z_]\w*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_]\w*))"
)


class ComposeError(Exception):
    """The file asks for something the rehearsal cannot give it (a required variable)."""


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's variable interpolation of one value; ``$$`` becomes a literal ``$`` (left
    for the container's shell, as in health checks)."""

    def replace(match: re.Match) -> str:
        if match["dollar"]:
            return "$"
        name = match["name"] or match["bare"]
        value, op, arg = variables.get(name), match["op"], match["arg"] or ""
        if op == ":-":
            return value if value else arg
        if op == "-":
            return arg if value is None else value
        if op == ":+":
            return arg if value else ""
        if op == "+":
            return "" if value is None else arg
        if op in (":?", "?") and (value is None or (op == ":?" and not value)):
            raise ComposeError(f"{name} is required: {arg or 'it is unset'}")
        return value or ""

    return VARIABLE.sub(replace, text)


def interpolate_all(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        return interpolate(value, variables)
    if isinstance(value, list):
        return [interpolate_all(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: interpolate_all(item, variables) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class HealthCheck:
    """A compose health check: ``CMD`` runs an argument list, ``CMD-SHELL`` a shell line."""

    test: list[str]

    @property
    def argv(self) -> list[str]:
        kind, *rest = self.test
        if kind == "CMD-SHELL":
            return ["sh", "-c", " ".join(rest)]
        if kind == "CMD":
            return rest
        raise ComposeError(f"health check of an unknown form: {self.test!r}")


@dataclass(frozen=True)
class Service:
    name: str
    command: list[str]
    environment: dict[str, str]
    healthcheck: HealthCheck | None
    ports: list[str] = field(default_factory=list)
    expose: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    image: str = ""

    def volume_source(self, target: str) -> str:
        """The host path mounted at ``target`` (``./deploy/Caddyfile:/etc/caddy/Caddyfile``)."""
        for volume in self.volumes:
            source, _, rest = volume.partition(":")
            if rest.split(":")[0] == target:
                return source
        raise ComposeError(f"{self.name} mounts nothing at {target}")


def environment_of(raw: Any) -> dict[str, str]:
    if isinstance(raw, list):  # ["KEY=value", ...]
        return dict(item.split("=", 1) for item in raw)
    return {key: "" if value is None else str(value) for key, value in (raw or {}).items()}


def command_of(raw: Any) -> list[str]:
    if raw is None:
        return []
    return shlex.split(raw) if isinstance(raw, str) else [str(part) for part in raw]


def read_services(path: Path, variables: dict[str, str]) -> dict[str, Service]:
    """Every service of the compose file, with ``variables`` interpolated as compose would
    (the YAML merge keys of ``x-app`` resolved by the loader)."""
    document = interpolate_all(yaml.safe_load(path.read_text()), variables)
    services = {}
    for name, raw in document["services"].items():
        check = raw.get("healthcheck") or {}
        services[name] = Service(
            name=name,
            command=command_of(raw.get("command")),
            environment=environment_of(raw.get("environment")),
            healthcheck=None if check.get("disable") or not check else HealthCheck(check["test"]),
            ports=[str(port) for port in raw.get("ports", [])],
            expose=[str(port) for port in raw.get("expose", [])],
            volumes=list(raw.get("volumes", [])),
            image=raw.get("image", ""),
        )
    return services


def build_steps(dockerfile: Path) -> list[str]:
    """The Dockerfile's RUN steps that run the application (``manage.py``), in order, joined
    across continuation lines: collectstatic and compilemessages as the image builds them."""
    text = re.sub(r"\\\n\s*", " ", dockerfile.read_text())
    return [
        line.strip()[len("RUN ") :]
        for line in text.splitlines()
        if line.strip().startswith("RUN ") and "manage.py" in line
    ]


def ignored(relative: str, patterns: list[str]) -> bool:
    parts = relative.split("/")
    for pattern in patterns:
        bare = pattern.removeprefix("**/").rstrip("/")
        if fnmatch.fnmatch(relative, bare) or any(fnmatch.fnmatch(part, bare) for part in parts):
            return True
    return False


def copy_context(source: Path, target: Path) -> int:
    """Copy the build context as docker would send it: every file but what .dockerignore
    names (by path, or by a name anywhere in it). The number of files copied."""
    lines = (source / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    copied = 0
    for folder, folders, files in os.walk(source):
        here = Path(folder).relative_to(source)
        # Prune ignored folders (.git, .venv) instead of walking through them.
        folders[:] = [name for name in folders if not ignored((here / name).as_posix(), patterns)]
        for name in files:
            relative = (here / name).as_posix()
            if ignored(relative, patterns):
                continue
            (target / here).mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(folder) / name, target / relative)
            copied += 1
    return copied
