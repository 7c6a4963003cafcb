"""The database itself guards the ledger on PostgreSQL: entries are never updated or deleted,
and no transaction is written unbalanced, whatever code tries it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from commissions.ledger import account_for, ledger_total, post
from commissions.models import LedgerEntry, LedgerTransaction
from commissions.settlement import run_settlement
from core.errors import DomainError
from tests.commissions.settlement_support import DUE, due_commission
from tests.conftest import uses_postgresql
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    not uses_postgresql(), reason="the ledger triggers exist on PostgreSQL only (bash .ci/run)"
)


def settled_entry() -> LedgerEntry:
    due_commission()
    run_settlement(as_of=DUE)
    return LedgerEntry.objects.order_by("pk").first()


@postgres_only
def test_the_database_refuses_to_update_an_entry():
    entry = settled_entry()

    with pytest.raises(DatabaseError, match="never updated or deleted"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=entry.amount + 1)

    assert LedgerEntry.objects.get(pk=entry.pk).amount == entry.amount


@postgres_only
def test_the_database_refuses_to_delete_an_entry():
    entry = settled_entry()

    refused = pytest.raises(DatabaseError, match="never updated or deleted")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM commissions_ledgerentry WHERE id = %s", [entry.pk])

    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


@postgres_only
def test_the_database_refuses_an_unbalanced_transaction():
    buyer = account_for(OrganisationFactory(role="buyer"), "buyer_earnings")
    platform = account_for(None, "platform_revenue")
    now = timezone.now()

    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        posted = LedgerTransaction.objects.create(
            kind="correction", reference="unbalanced", posted_at=now
        )
        LedgerEntry.objects.bulk_create([
            LedgerEntry(transaction=posted, account=buyer, amount="10.00", posted_at=now),
            LedgerEntry(transaction=posted, account=platform, amount="-9.99", posted_at=now),
        ])  # fmt: skip

    assert not LedgerTransaction.objects.filter(reference="unbalanced").exists()
    assert ledger_total() == 0


@postgres_only
def test_a_transaction_written_entry_by_entry_is_refused_at_its_first_entry():
    buyer = account_for(OrganisationFactory(role="buyer"), "buyer_earnings")
    now = timezone.now()

    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        posted = LedgerTransaction.objects.create(
            kind="correction", reference="half", posted_at=now
        )
        LedgerEntry.objects.create(transaction=posted, account=buyer, amount="5.00", posted_at=now)


def test_posting_an_unbalanced_transaction_is_refused_on_any_database():
    buyer = account_for(OrganisationFactory(role="buyer"), "buyer_earnings")

    with pytest.raises(DomainError, match="does not balance"):
        post(kind="correction", reference="off", entries=[(buyer, "1.00")])

    assert not LedgerTransaction.objects.exists()
