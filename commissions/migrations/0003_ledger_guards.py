"""Database guards of the ledger on PostgreSQL (SQLite relies on the services and tests).

- Entries are never updated or deleted: a row trigger refuses it.
- Every transaction balances: a statement trigger checks, after each INSERT of
  entries, that every transaction it touched sums to zero. Services insert the
  entries of one transaction in one statement (bulk_create), so a half-written
  transaction never passes.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION ledger_entry_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are never updated or deleted; post a correction';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_entry_immutable
    BEFORE UPDATE OR DELETE ON commissions_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_immutable();

CREATE FUNCTION ledger_transaction_balances() RETURNS trigger AS $$
DECLARE
    unbalanced bigint;
BEGIN
    SELECT e.transaction_id INTO unbalanced
    FROM commissions_ledgerentry e
    WHERE e.transaction_id IN (SELECT DISTINCT transaction_id FROM new_entries)
    GROUP BY e.transaction_id
    HAVING SUM(e.amount) <> 0
    LIMIT 1;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % does not balance', unbalanced;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_transaction_balances
    AFTER INSERT ON commissions_ledgerentry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_transaction_balances();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS ledger_transaction_balances ON commissions_ledgerentry;
DROP FUNCTION IF EXISTS ledger_transaction_balances();
DROP TRIGGER IF EXISTS ledger_entry_immutable ON commissions_ledgerentry;
DROP FUNCTION IF EXISTS ledger_entry_immutable();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("commissions", "0002_money_and_ledger")]
    operations = [migrations.RunPython(forward, backward)]
