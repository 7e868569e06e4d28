"""Writing a city's worth of rows quickly, for the demo seed and the benchmarks.

QuerySet.bulk_create builds a model instance and runs each field's
preparation for every row. Measured on the 2-core machine these figures come
from: about 65 µs a row for a Shift and 150 µs for a DutyLog on SQLite, 47 µs
for a Shift on PostgreSQL. A 3,000-school demo month is three million such
rows (rosters, shifts, logs, attendance), which took bulk_create almost five
minutes. These rows are plain values (ids, dates, times, small numbers, short
strings), so `write_rows` takes them as tuples, converts each date, time and
datetime with its field's own get_db_prep_save, once per distinct value, and
sends them with COPY on PostgreSQL and multi-row INSERTs elsewhere: the rows
bulk_create would write (tests/test_seed_demo_posts.py compares the two),
several times faster.

What it leaves out is what bulk_create does for objects: no primary keys come
back (read them back by a natural key), no signals, and nothing checked
beyond the database's own constraints.
"""

from collections.abc import Iterable, Sequence

from django.db import connection, connections, models, router
from django.utils import timezone

# Fields whose Python values the backend needs converted (SQLite stores them
# as text); DateTimeField is a DateField.
CONVERTED_FIELDS = (models.DateField, models.TimeField, models.DecimalField)
# Rows per INSERT statement where there is no COPY.
ROWS_PER_INSERT = 1000


def write_rows(model, fields: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert `rows`, tuples of values for `fields` (names or attnames, e.g. "school_id").

    The model's other fields get their defaults, auto_now and auto_now_add
    ones the current time, as bulk_create would give them. Returns the count.
    `rows` may be a generator, but one that does not query the database: on
    PostgreSQL the connection is busy with the COPY while it runs.
    """
    opts = model._meta
    connection = connections[router.db_for_write(model)]
    given = [opts.get_field(name) for name in fields]
    now = timezone.now()
    rest = [field for field in opts.concrete_fields if not field.primary_key and field not in given]
    constants = tuple(
        field.get_db_prep_save(
            now
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            else field.get_default(),
            connection,
        )
        for field in rest
    )
    converters = [_converter(field, connection) for field in given]
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    columns = ", ".join(quote(field.column) for field in (*given, *rest))

    def prepared():
        for row in rows:
            yield (*(convert(value) for convert, value in zip(converters, row, strict=True)),) + (
                constants
            )

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in prepared():
                    copy.write_row(row)
                    count += 1
            return count
        width = len(given) + len(rest)
        limit = connection.features.max_query_params or ROWS_PER_INSERT * width
        per_statement = max(1, min(ROWS_PER_INSERT, limit // width))
        placeholder = f"({', '.join(['%s'] * width)})"
        chunk = []
        for row in prepared():
            chunk.append(row)
            if len(chunk) == per_statement:
                _insert(cursor, table, columns, placeholder, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            _insert(cursor, table, columns, placeholder, chunk)
            count += len(chunk)
    return count


def insert_unless_present(obj, unique_fields: Sequence[str]) -> bool:
    """INSERT `obj` unless a row with its `unique_fields` exists, in one statement.

    `INSERT … ON CONFLICT (unique_fields) DO NOTHING RETURNING pk` (PostgreSQL,
    SQLite 3.35+): a duplicate costs no error, so no savepoint is needed around
    it inside a transaction, and a concurrent twin waits for the first writer
    and then finds its row. Fields are prepared as save() prepares them
    (auto_now times, files committed to storage). Returns True and sets the
    primary key when the row was inserted, False when one was already there.
    Sends no signals.
    """
    model = type(obj)
    opts = model._meta
    connection = connections[router.db_for_write(model)]
    fields = [field for field in opts.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    conflict = ", ".join(quote(opts.get_field(name).column) for name in unique_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(opts.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(opts.pk.column)}",
            values,
        )
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True


def _insert(cursor, table, columns, placeholder, chunk):
    cursor.execute(
        f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(chunk))}",
        [value for row in chunk for value in row],
    )


def _converter(field, connection):
    if not isinstance(field, CONVERTED_FIELDS):
        return _same
    cache = {}

    def convert(value):
        try:
            return cache[value]
        except KeyError:
            cache[value] = converted = field.get_db_prep_save(value, connection)
            return converted

    return convert


def _same(value):
    return value


def refresh_statistics() -> str:
    """Give PostgreSQL's planner the statistics autovacuum would have gathered by now.

    Right after a bulk load (the seed, --synthesize) the tables have none, and
    the planner, expecting a few thousand logs instead of millions, picks plans
    that take seconds (measured: the duty-log list 2.3 s instead of 0.26 s).
    SQLite keeps no statistics unless asked, and Django never asks: it is
    measured as it is deployed.
    """
    if connection.vendor != "postgresql":
        return "no statistics (SQLite as deployed)"
    # VACUUM cannot run inside a transaction (the tests run in one); ANALYZE can.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(command)
    return f"statistics refreshed ({command})"
