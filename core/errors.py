"""The one domain error type; core.api maps it to HTTP."""

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
