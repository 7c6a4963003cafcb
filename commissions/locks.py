"""Row locks on commissions' tables (and the advisory locks of click flags). Every transaction
takes its locks in the one order of docs/architecture.md "Lock order"; a helper only locks
(callers check rules and rights)."""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from accounts.models import Organisation
from commissions.models import Account, AffiliateLink, Commission, Order, PlatformSettings

# Two-key advisory locks: this namespace plus the link id serialise flag computation per link.
ADVISORY_LOCK_NAMESPACE = 0x434C  # "CL"


def lock_links_for_clicks(link_ids: list[int]) -> None:
    """PostgreSQL: hold a transaction advisory lock per link, in id order (no deadlocks), so two
    writers never judge duplicates of the same link at once. SQLite serialises writes anyway.
    No row is locked: the links stay free for their buyers."""
    if connection.vendor != "postgresql" or not link_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, (s.id %% 2147483647)::int)"
            " FROM (SELECT unnest(%s::bigint[]) AS id ORDER BY 1) AS s",
            [ADVISORY_LOCK_NAMESPACE, sorted(link_ids)],
        )


def lock_links(*, buyer: Organisation, enrollment_ids: Iterable[int]) -> list[AffiliateLink]:
    """The buyer's links of these enrollments, locked in ascending id."""
    return list(
        AffiliateLink.objects.select_for_update(no_key=True)
        .filter(buyer=buyer, enrollment_id__in=enrollment_ids)
        .order_by("pk")
    )


def lock_order(order_id: int) -> Order:
    """The order, locked."""
    return Order.objects.select_for_update(no_key=True).get(pk=order_id)


def lock_order_by_external_id(*, external_id: str, merchant: Organisation | None = None) -> Order:
    """The order with this external id, locked; created (for ``merchant``) if new.
    Two requests creating it at once: the unique external_id lets one create it,
    the other waits for its lock. Call inside a transaction."""
    order = Order.objects.select_for_update(no_key=True).filter(external_id=external_id).first()
    if order is not None:
        return order
    try:
        with transaction.atomic():
            return Order.objects.create(external_id=external_id, merchant=merchant)
    except IntegrityError:
        return Order.objects.select_for_update(no_key=True).get(external_id=external_id)


def lock_idle_orders(order_ids: Iterable[int]) -> list[Order]:
    """These orders, locked in ascending id; the ones another transaction holds (a rebuild, a
    settlement batch) are skipped (SKIP LOCKED), not waited for."""
    return list(
        Order.objects.select_for_update(no_key=True, skip_locked=True)
        .filter(pk__in=order_ids)
        .order_by("pk")
    )


def lock_commissions(*, line_ids: Iterable[int]) -> list[Commission]:
    """The commissions of these order lines, locked in ascending id. Call holding their order's
    lock: commissions are locked only by whoever holds their order."""
    return list(
        Commission.objects.select_for_update(no_key=True).filter(line__in=line_ids).order_by("pk")
    )


# Django's select_for_update(of=("self", "order")) needs model instances (select_related),
# 4x slower than rows here; the same locking clause is written out instead.
LOCK_ROWS = " FOR UPDATE OF commissions_commission, commissions_order SKIP LOCKED"


def lock_commission_rows(
    rows: QuerySet[Commission, tuple[Any, ...]], *, fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    """These commission rows (a values_list of ``fields``, in id order) with their orders,
    locked; rows another worker (or the order service) holds are skipped (SKIP LOCKED), not
    waited for. The rows as dicts of ``fields``."""
    found: Iterable[tuple[Any, ...]] = rows
    if connection.vendor == "postgresql":
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql + LOCK_ROWS, params)
            found = cursor.fetchall()
    return [dict(zip(fields, row, strict=True)) for row in found]


def lock_accounts(*, organisation: Organisation, kinds: Iterable[str]) -> list[Account]:
    """The organisation's accounts of these kinds, locked in ascending id."""
    return list(
        Account.objects.select_for_update(no_key=True)
        .filter(organisation=organisation, kind__in=kinds)
        .order_by("pk")
    )


def lock_platform_settings(settings_id: int) -> PlatformSettings:
    """The platform settings row, locked."""
    return PlatformSettings.objects.select_for_update(no_key=True).filter(pk=settings_id).get()
