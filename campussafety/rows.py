"""Model instances from a hand-written query's columns, made as the ORM makes them.

A request that must stay cheap (a duty-log POST at the gate) reads several
tables in one statement. Compiling such a statement with the ORM cost more
CPU than the database took to answer it (about a millisecond a query on the
2-core benchmark machine, for a `select_related` four models deep), so a few
hot reads are written in SQL. `Columns` names one model's concrete columns
under an alias of such a query and turns that slice of a row back into an
instance: the backend's and the fields' converters applied (SQLite answers
dates as text, PostgreSQL needs none), then `Model.from_db`, as a queryset
would. `insert_values` writes a handful of rows the same short way.
"""

from collections.abc import Sequence

from django.db import connections


class Columns:
    """A model's concrete columns read under `alias` in a hand-written SELECT."""

    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        self.fields = model._meta.concrete_fields
        self.names = [field.attname for field in self.fields]
        self.width = len(self.fields)
        self.pk_at = self.names.index(model._meta.pk.attname)
        # {connection alias: [(position, column, its converters)]}, worked out once.
        self._converters = {}

    def select(self, using: str = "default") -> str:
        """The SELECT list of these columns: `"alias"."column", …`."""
        quote = connections[using].ops.quote_name
        return ", ".join(f"{quote(self.alias)}.{quote(field.column)}" for field in self.fields)

    def instance(self, row, start: int, using: str = "default"):
        """The instance in `row[start:start + width]`; None when its primary key is NULL
        (the far side of a LEFT JOIN that found nothing)."""
        values = list(row[start : start + self.width])
        if values[self.pk_at] is None:
            return None
        connection = connections[using]
        for position, expression, converters in self.converters(using):
            value = values[position]
            for converter in converters:
                value = converter(value, expression, connection)
            values[position] = value
        return self.model.from_db(using, self.names, values)

    def converters(self, using: str):
        if using not in self._converters:
            connection = connections[using]
            found = []
            for position, field in enumerate(self.fields):
                expression = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(
                    expression
                ) + expression.get_db_converters(connection)
                if converters:
                    found.append((position, expression, converters))
            self._converters[using] = found
        return self._converters[using]


def insert_values(objs, fields: Sequence[str], using: str = "default") -> None:
    """INSERT the unsaved instances `objs` (one model) with `fields`, in one statement.

    bulk_create does the same for a handful of rows at several times the CPU (it
    prepares every field through the query compiler, and reads the new keys
    back): no key is read back here, so the instances keep none, and nothing is
    checked beyond the database's constraints. No signals.
    """
    if not objs:
        return
    connection = connections[using]
    opts = type(objs[0])._meta
    given = [opts.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    row = f"({', '.join(['%s'] * len(given))})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(opts.db_table)} "
            f"({', '.join(quote(field.column) for field in given)}) "
            f"VALUES {', '.join([row] * len(objs))}",
            [
                field.get_db_prep_save(getattr(obj, field.attname), connection)
                for obj in objs
                for field in given
            ],
        )
