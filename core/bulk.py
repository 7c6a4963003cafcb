"""One contract for every bulk action (approve many enrollments, many sample requests...):
each id is acted on alone, in its own transaction, so one refusal does not stop the rest; the
outcome says which ids were done and why each other one was refused."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.errors import DomainError


@dataclass
class BulkOutcome:
    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # id -> why


def act_on_each(
    ids: Iterable[int], act: Callable[[int], object], *, visible: set[int]
) -> BulkOutcome:
    """``act(id)`` for each id in order (repeats once). An id outside ``visible`` (the caller's
    selector decides) is refused "Not found.", the words a 404 would use; a DomainError refuses
    only its own id."""
    outcome = BulkOutcome()
    for pk in dict.fromkeys(ids):
        if pk not in visible:
            outcome.refused[pk] = _("Not found.")
            continue
        try:
            act(pk)
        except DomainError as error:
            outcome.refused[pk] = error.message
        else:
            outcome.done.append(pk)
    return outcome
