"""Migration operations the apps share."""

from django.db import migrations


def drop_indexes_keeping_constraints(indexes, state_operations):
    """Drop single-column foreign key indexes, `indexes` as (index, table, column), that a
    composite index or unique constraint starting with the same column already serves
    (the planner uses the composite for lookups by the key alone), while
    `state_operations` record the fields' `db_index=False`.

    Each such index cost every insert an entry; tests/test_schema_indexes.py finds
    them. Only the indexes go: the foreign key constraints stay as they are, where
    Django's own AlterField would drop and re-add each, re-checking every row of
    tables holding millions (a province's shifts and logs) under an exclusive lock.
    Unapplied, each index is made again as Django had named and made it.
    """
    return migrations.SeparateDatabaseAndState(
        database_operations=[
            migrations.RunSQL(
                [f'DROP INDEX IF EXISTS "{name}"' for name, _table, _column in indexes],
                [
                    f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                    for name, table, column in indexes
                ],
            )
        ],
        state_operations=state_operations,
    )
