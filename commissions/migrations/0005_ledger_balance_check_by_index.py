"""The balance trigger looks each touched transaction up by index (PostgreSQL only).

0003's check grouped ``commissions_ledgerentry`` filtered by ``transaction_id IN (...)``;
PostgreSQL planned that as a scan of the whole table, so every INSERT of entries cost more
as the ledger grew: 56 ms per settlement batch of 1,000 lines on an empty ledger, 192 ms at
1.2 million entries (bench/bench_settlement.py). Summing each touched transaction in a
LATERAL subquery uses the ``transaction_id`` index and stays flat (55 -> 62 ms). Same rule:
every transaction an INSERT touched must sum to zero.
"""

from django.db import migrations

BY_INDEX = """
CREATE OR REPLACE FUNCTION ledger_transaction_balances() RETURNS trigger AS $$
DECLARE
    unbalanced bigint;
BEGIN
    SELECT touched.transaction_id INTO unbalanced
    FROM (SELECT DISTINCT transaction_id FROM new_entries) touched
    CROSS JOIN LATERAL (
        SELECT SUM(e.amount) AS total
        FROM commissions_ledgerentry e
        WHERE e.transaction_id = touched.transaction_id
    ) sums
    WHERE sums.total <> 0
    LIMIT 1;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % does not balance', unbalanced;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

GROUPED = """
CREATE OR REPLACE FUNCTION ledger_transaction_balances() RETURNS trigger AS $$
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
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BY_INDEX, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GROUPED, params=None)


class Migration(migrations.Migration):
    dependencies = [("commissions", "0004_commission_checks_to_the_fen")]
    operations = [migrations.RunPython(forward, backward)]
