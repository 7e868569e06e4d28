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
back (reserve them first with `reserve_ids`, or read them back by a natural
key), no signals, and nothing checked beyond the database's own constraints.
"""

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

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
    # Only the columns that need it are converted: most rows are ids and numbers.
    converted = [
        (index, convert)
        for index, convert in enumerate(_converter(field, connection) for field in given)
        if convert is not _same
    ]
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    columns = ", ".join(quote(field.column) for field in (*given, *rest))

    def prepared():
        if not converted:
            yield from rows
            return
        for row in rows:
            values = list(row)
            for index, convert in converted:
                values[index] = convert(values[index])
            yield tuple(values)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy = f"COPY {table} ({columns}) FROM STDIN"
            if all(_copied_as_text(field) for field in (*given, *rest)):
                return _copy_text(cursor.cursor, copy, given, constants, prepared())
            with cursor.cursor.copy(copy) as copier:
                count = 0
                for row in prepared():
                    copier.write_row((*row, *constants))
                    count += 1
            return count
        width = len(given) + len(rest)
        limit = connection.features.max_query_params or ROWS_PER_INSERT * width
        per_statement = max(1, min(ROWS_PER_INSERT, limit // width))
        placeholder = f"({', '.join(['%s'] * width)})"
        count = 0
        chunk = []
        for row in prepared():
            chunk.append((*row, *constants))
            if len(chunk) == per_statement:
                _insert(cursor, table, columns, placeholder, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            _insert(cursor, table, columns, placeholder, chunk)
            count += len(chunk)
    return count


def reserve_ids(model, count: int) -> list[int]:
    """`count` new primary keys of `model`, ascending, for rows write_rows will insert.

    write_rows gives back no ids, and reading them back by a natural key costs
    a query and a dict per batch; rows that other rows point at (a place its
    pieces, a piece its movements) are cheaper given their ids up front. The
    ids are taken from the table's own counter, as an INSERT would take them
    (PostgreSQL's sequence; SQLite's sqlite_sequence, which Django's
    AUTOINCREMENT keys use), so no later insert, concurrent or not, reuses
    them. Ids reserved and never written are a gap, as after a rollback.
    """
    if count <= 0:
        return []
    opts = model._meta
    connection = connections[router.db_for_write(model)]
    table, column = opts.db_table, opts.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"reserve_ids does not know {connection.vendor}.")
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        # AUTOINCREMENT takes one more than the larger of the two.
        first = max(largest, row[0] if row else 0) + 1
        if row:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [first + count - 1, table]
            )
        else:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                [table, first + count - 1],
            )
    return list(range(first, first + count))


def write_objects(objects: Sequence[models.Model]) -> int:
    """Unsaved instances of one model, written with write_rows: for the few rows a step
    still builds as objects (model methods read them, or a field's default is drawn
    per row, like a secret). Ids given by reserve_ids are written; without, the
    database numbers the rows. Timestamps are set as write_rows sets them; a
    file field writes the name of a file already in storage."""
    if not objects:
        return 0
    model = type(objects[0])
    opts = model._meta
    with_ids = objects[0].pk is not None
    fields = [
        field
        for field in opts.concrete_fields
        if (with_ids or not field.primary_key)
        and not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    ]
    files = {index for index, field in enumerate(fields) if isinstance(field, models.FileField)}
    return write_rows(
        model,
        [field.attname for field in fields],
        (
            tuple(
                getattr(obj, field.attname).name if index in files else getattr(obj, field.attname)
                for index, field in enumerate(fields)
            )
            for obj in objects
        ),
    )


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
    if connection.vendor == "postgresql" and not isinstance(field, models.DecimalField):
        # Its adapt_date/time/datetimefield_value return the value as it is: psycopg
        # sends dates, times and aware datetimes itself.
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


TEXT_TYPES = {
    "CharField",
    "TextField",
    "SlugField",
    "EmailField",
    "URLField",
    "FileField",
    "ImageField",
}
# Fields whose values str() writes as PostgreSQL reads them in COPY's text format
# (numbers, dates, times, aware datetimes, text); a row of anything else (JSON, a
# duration, an address) goes through psycopg's write_row.
COPY_TEXT_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "BooleanField",
    "DecimalField",
    "FloatField",
    "DateField",
    "DateTimeField",
    "TimeField",
    "UUIDField",
    *TEXT_TYPES,
}
# COPY's text format: a backslash escapes, a tab ends a value, a newline a row.
COPY_NULL = "\\N"
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# Lines sent to the server at once.
COPY_CHUNK = 2000


def _internal_type(field) -> str:
    return (field.target_field if field.is_relation else field).get_internal_type()


def _copied_as_text(field) -> bool:
    return _internal_type(field) in COPY_TEXT_TYPES


def _copy_value(value) -> str:
    return COPY_NULL if value is None else str(value).translate(COPY_ESCAPES)


def _copy_text(cursor, copy: str, given, constants, rows) -> int:
    """Send `rows` in COPY's text format, written here rather than by psycopg's write_row.

    psycopg looks up a dumper for every value of every row (about 5 µs a row of
    a shift, most of the seed's time in Python); these rows are ids, dates and
    short codes, which str() writes as COPY reads them, and None is COPY's \\N.
    A row whose text holds a backslash, tab or line break is written again
    value by value, escaped (tests/test_seed_demo_posts.py, WriteRowsTests).
    """
    separators = len(given) - 1
    any_text = any(_internal_type(field) in TEXT_TYPES for field in given)
    ending = "".join("\t" + _copy_value(value) for value in constants) + "\n"
    count = 0
    with cursor.copy(copy) as copier:
        lines = []
        for row in rows:
            if None in row:
                nulls = row.count(None)
                line = "\t".join([COPY_NULL if value is None else str(value) for value in row])
            else:
                nulls = 0
                line = "\t".join(map(str, row))
            # Each NULL wrote one backslash; another backslash, a tab too many or a
            # line break came from a text, and the row is written again, escaped.
            if any_text and (
                line.count("\t") != separators
                or line.count("\\") != nulls
                or "\n" in line
                or "\r" in line
            ):
                line = "\t".join(map(_copy_value, row))
            lines.append(line + ending)
            if len(lines) == COPY_CHUNK:
                copier.write("".join(lines))
                count += len(lines)
                lines = []
        if lines:
            copier.write("".join(lines))
            count += len(lines)
    return count


@contextmanager
def foreign_keys_checked_once(models_: Iterable[type[models.Model]]):
    """Inside: the foreign keys of `models_`' tables are not checked row by row; on
    leaving, each is added back, which checks every row in one join.

    PostgreSQL checks a foreign key with one locking look-up in the referenced
    table per inserted row (Django's are deferred to the commit, but each is
    still made). A province's seed writes tens of millions of rows with three
    to six foreign keys each: those look-ups were most of its database time.
    Adding a foreign key back checks the whole table at once, as pg_restore
    does it; a row that breaks one fails the transaction there, as it would
    have at the commit. The tables are locked against other writers until
    the transaction ends: for a seed or a benchmark's synthesis, inside their
    transaction. Elsewhere (SQLite) it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) "
            "ORDER BY 1, 2",
            [_table_names(models_)],
        )
        keys = cursor.fetchall()
        # A table with checks still pending cannot be altered: make them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )


@contextmanager
def indexes_built_after(models_: Iterable[type[models.Model]], keep: Sequence[str] = ()):
    """Inside: the plain indexes of `models_`' tables (neither unique nor behind a
    constraint), except those named in `keep`, are dropped; on leaving, each is built
    again from its definition.

    For a table read while it is loaded. PostgreSQL has no statistics for rows
    loaded in the same transaction, and its planner, expecting a few rows,
    takes any index whose leading column the query names: the posts step's
    coverage, counted by school and day a batch of schools at a time, went
    through the logs' index on the date alone and read every log so far, each
    batch (2.6 s of server time at 3,000 schools, growing with the square of
    the schools). Without the plain indexes the query has only the one `keep`
    names; the others are built once at the end, from the loaded table, as
    pg_restore builds them. Unique indexes stay: they are constraints. The
    table is locked against other sessions until the transaction ends; on
    SQLite it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid::regclass::text = ANY(%s) AND NOT indisunique AND NOT indisprimary "
            "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint) "
            "AND NOT (indexrelid::regclass::text = ANY(%s)) ORDER BY 1",
            [_table_names(models_), list(keep)],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)


def _table_names(models_) -> list[str]:
    """The models' tables as regclass::text spells them: quoted where a name needs it."""
    tables = sorted({model._meta.db_table for model in models_})
    return [connection.ops.quote_name(table) for table in tables] + tables


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
