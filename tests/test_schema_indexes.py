"""No plain index of ours repeats the start of another index on the same table.

A composite index or unique constraint serves lookups by its leading columns,
so a second index on them only costs every insert an entry (the duty-log write,
the morning's shifts and reminders, the equipment ledger). Django adds one to
each foreign key unless told `db_index=False`; this finds the ones to tell.
"""

from unittest import skipUnless

from django.apps import apps
from django.db import connection
from django.test import TestCase

OUR_APPS = {
    "accounts",
    "schools",
    "posts",
    "inspections",
    "drills",
    "equipment",
    "dashboards",
    "coordination",
    "reminders",
}

# pg_index's key columns and operator classes as space-separated lists: an index
# repeats another's start when both lists are the start of the other's (the
# pattern-matching "_like" indexes of text columns differ in their operator class).
REPEATED = """
WITH idx AS (
    SELECT i.indrelid::regclass::text AS tbl, c.relname AS name, i.indkey::text AS keys,
        i.indclass::text AS classes, i.indisunique AS uniq, i.indpred IS NOT NULL AS partial
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
)
SELECT a.tbl, a.name, b.name FROM idx a JOIN idx b ON a.tbl = b.tbl AND a.name <> b.name
WHERE a.tbl = ANY(%s) AND NOT a.uniq AND NOT a.partial AND NOT b.partial
    AND (b.keys = a.keys OR b.keys LIKE a.keys || ' %%')
    AND (b.classes = a.classes OR b.classes LIKE a.classes || ' %%')
ORDER BY 1, 2
"""


@skipUnless(connection.vendor == "postgresql", "reads PostgreSQL's catalogue")
class RepeatedIndexTests(TestCase):
    def test_no_plain_index_repeats_the_start_of_another(self):
        tables = [
            model._meta.db_table
            for model in apps.get_models()
            if model._meta.app_label in OUR_APPS and model._meta.managed
        ]
        with connection.cursor() as cursor:
            cursor.execute(REPEATED, [tables])
            repeated = cursor.fetchall()
        self.assertEqual(repeated, [], "\n".join(map(str, repeated)))
