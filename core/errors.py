"""The one domain error type; core.api maps it to HTTP."""

from dataclasses import dataclass, field
from typing import Any


class DomainError(Exception):
    """A rule of the product refused the change. Answers 400."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, detail: Any = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.detail = detail

    def as_payload(self) -> dict[str, Any]:
        if self.detail is not None:
            return self.detail
        if self.field:
            return {self.field: [self.message]}
        return {"detail": self.message}


class Conflict(DomainError):
    """A state transition not allowed from the current state. Answers 409."""

    status_code = 409


class Forbidden(DomainError):
    """The caller may see the object but not do this. Answers 403."""

    status_code = 403


def ensure(condition: bool, error: DomainError) -> None:
    if not condition:
        raise error


@dataclass
class FieldErrors:
    """Collects every broken rule so a form or API client sees them all at once."""

    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def check(self, condition: bool, name: str, message: str) -> None:
        if not condition:
            self.add(name, message)

    def raise_if_any(self) -> None:
        if self.errors:
            name, messages = next(iter(self.errors.items()))
            raise DomainError(messages[0], field=name, detail=dict(self.errors))
