"""A product's storefront address changed: apps above merchants follow it. Matchmaking sends
approved enrollments of a product that moved to another host back to review, and lets links
of a product that only moved within its host follow it.

merchants imports nothing above it, so those apps register here when they start
(``AppConfig.ready``) instead of merchants calling them. Listeners run once the change has
committed, each in a transaction of its own: they lock enrollments, which come before products
in the lock order (docs/architecture.md), so running inside the product's writer would invite
a deadlock.
Until they have run, links keep the address that was reviewed, never the new one.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class StorefrontChange:
    product_id: int
    old_url: str
    new_url: str


Listener = Callable[[list[StorefrontChange]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def announce_on_commit(changes: list[StorefrontChange]) -> None:
    if changes:
        transaction.on_commit(lambda: [listener(changes) for listener in list(_listeners)])
