"""Writing many rows at once: PostgreSQL's COPY into a temporary table, then one INSERT … ON
CONFLICT into the real one; ``bulk_create`` on other databases (SQLite, the embedded default).

Django's ``bulk_create`` on PostgreSQL sends each column as an array parameter, and psycopg
escapes every element of those arrays in Python (a regular expression per JSON value): for the
scores' breakdowns that was a third of a full rescoring. COPY sends the rows as text escaped in
C. The rows go through the same row-level security as any insert (the temporary table is the
session's own, the final INSERT is checked against the firm in scope).

``upsert_rows`` sends each distinct JSON value of a batch once (many scores share their
breakdown or checkpoints): PostgreSQL parses a JSON text once per distinct value, and the rows
carry a small key to it. A caller that encodes its values itself, once per distinct value,
hands them over as ``JsonText``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from django.db import connection, models, transaction

# Below this many rows the temporary table costs more than it saves (one client's score).
COPY_FROM_ROWS = 10
# How JSON values are encoded for COPY (Django's own encoding differs only in spacing and in
# escaping non-ASCII, which jsonb does not keep).
encode_json = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


class JsonText(str):
    """A JSON column's value already encoded as JSON text (``encode_json``), so that a value
    shared by many rows is encoded once; ``upsert_rows`` decodes it again where it writes with
    ``bulk_create``."""

    __slots__ = ()


def uses_copy(rows: int) -> bool:
    return connection.vendor == "postgresql" and rows >= COPY_FROM_ROWS


def upsert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    unique: Sequence[str],
    update: Sequence[str],
    batch_size: int = 1000,
    skip_unchanged: bool = False,
) -> int:
    """Insert ``rows`` (tuples of Python values in the order of ``columns``, attribute names
    such as ``client_id``), updating ``update`` where a row with the same ``unique`` columns
    exists. JSON columns take Python values or ``JsonText``. Returns the number of rows sent.

    ``skip_unchanged``: on PostgreSQL, a stored row whose ``update`` columns already hold those
    values is left as it is (no new row version, no index update): most rows of a rescoring
    with the same grid."""
    if not rows:
        return 0
    fields = [model._meta.get_field(name) for name in columns]
    json_positions = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
    if not uses_copy(len(rows)):
        objects = [
            model(**dict(zip(columns, _decoded(row, json_positions), strict=True))) for row in rows
        ]
        model._default_manager.bulk_create(
            objects,
            update_conflicts=True,
            unique_fields=[_field_name(model, name) for name in unique],
            update_fields=[_field_name(model, name) for name in update],
            batch_size=batch_size,
        )
        return len(rows)
    quoted = _quoted_columns(fields)
    conflict = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in unique
    )
    assignments = ", ".join(
        f"{name} = EXCLUDED.{name}"
        for name in (
            connection.ops.quote_name(model._meta.get_field(column).column) for column in update
        )
    )
    with transaction.atomic(), connection.cursor() as cursor:
        incoming, values = _copy_with_shared_json(cursor, model, fields, rows, json_positions)
        # A JSON column of the rows holds its value's key in the table of values.
        names = [connection.ops.quote_name(field.column) for field in fields]
        selected = ", ".join(
            f"value_{position}.value" if position in json_positions else f"incoming.{name}"
            for position, name in enumerate(names)
        )
        joins = "".join(
            f" LEFT JOIN {values} AS value_{position}"
            f" ON value_{position}.key = incoming.{names[position]}"
            for position in json_positions
        )
        # Names only (the model's own table and columns, quoted): no value is formatted in.
        upsert = (
            f"INSERT INTO {_table(model)} ({quoted}) "  # noqa: S608
            f"SELECT {selected} FROM {incoming} AS incoming{joins} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {assignments}"
        )
        if skip_unchanged:
            updated = [connection.ops.quote_name(model._meta.get_field(c).column) for c in update]
            stored = ", ".join(f"{_table(model)}.{name}" for name in updated)
            given = ", ".join(f"EXCLUDED.{name}" for name in updated)
            upsert += f" WHERE ({stored}) IS DISTINCT FROM ({given})"
        cursor.execute(upsert)
        cursor.execute(f"DROP TABLE {incoming}")
        if values:
            cursor.execute(f"DROP TABLE {values}")
    return len(rows)


def insert_objects(objects: Sequence[models.Model], *, batch_size: int = 1000) -> None:
    """Insert unsaved instances of one model and give them their primary key, like
    ``bulk_create`` (which it is on other databases, for a few rows, or for a model with a
    database default): the keys are drawn from the table's sequence first, then the rows go
    through COPY and one INSERT."""
    if not objects:
        return
    model = type(objects[0])
    fields = list(model._meta.concrete_fields)
    if not uses_copy(len(objects)) or any(field.has_db_default() for field in fields):
        model._default_manager.bulk_create(objects, batch_size=batch_size)
        return
    pk = model._meta.pk
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objects)],
        )
        for instance, (key,) in zip(objects, cursor.fetchall(), strict=True):
            instance.pk = key
        rows = [[field.pre_save(instance, add=True) for field in fields] for instance in objects]
        incoming = _copy_to_temporary_table(cursor, model, fields, rows)
        quoted = _quoted_columns(fields)
        insert = f"INSERT INTO {_table(model)} ({quoted}) SELECT {quoted} FROM {incoming}"  # noqa: S608
        cursor.execute(insert)
        cursor.execute(f"DROP TABLE {incoming}")
    for instance in objects:
        instance._state.adding = False
        instance._state.db = connection.alias


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    batch_size: int = 1000,
) -> None:
    """Insert ``rows`` (tuples of Python values in the order of ``columns``, attribute names
    such as ``client_id``; JSON columns take Python values or ``JsonText``) as new rows whose
    keys the database draws. No instance is made on PostgreSQL, where the rows go through COPY
    and one INSERT: for many rows nobody reads back (an import's history entries). The other
    columns must have a default in the database or accept NULL. (``bulk_create``, elsewhere,
    gives an ``auto_now`` or ``auto_now_add`` field the time of its own write.)"""
    if not rows:
        return
    if not uses_copy(len(rows)):
        positions = [i for i, name in enumerate(columns) if _is_json(model, name)]
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, _decoded(row, positions), strict=True))) for row in rows],
            batch_size=batch_size,
        )
        return
    fields = [model._meta.get_field(name) for name in columns]
    with transaction.atomic(), connection.cursor() as cursor:
        incoming = _copy_to_temporary_table(cursor, model, fields, rows)
        quoted = _quoted_columns(fields)
        insert = f"INSERT INTO {_table(model)} ({quoted}) SELECT {quoted} FROM {incoming}"  # noqa: S608
        cursor.execute(insert)
        cursor.execute(f"DROP TABLE {incoming}")


def update_objects(
    objects: Sequence[models.Model], fields: Sequence[str], *, batch_size: int = 1000
) -> None:
    """Write ``fields`` of saved instances of one model (``auto_now`` fields take the time
    now, as ``save`` gives them): COPY into a temporary table and one UPDATE … FROM on
    PostgreSQL, ``bulk_update`` elsewhere or for a few rows."""
    if not objects:
        return
    model = type(objects[0])
    columns = [model._meta.get_field(name) for name in fields]
    rows = [
        [instance.pk, *(field.pre_save(instance, add=False) for field in columns)]
        for instance in objects
    ]
    if not uses_copy(len(objects)):
        model._default_manager.bulk_update(objects, list(fields), batch_size=batch_size)
        return
    pk = model._meta.pk
    key = connection.ops.quote_name(pk.column)
    assignments = ", ".join(
        f"{name} = incoming.{name}"
        for name in (connection.ops.quote_name(field.column) for field in columns)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        incoming = _copy_to_temporary_table(cursor, model, [pk, *columns], rows)
        update = (
            f"UPDATE {_table(model)} AS target SET {assignments} "  # noqa: S608
            f"FROM {incoming} AS incoming WHERE target.{key} = incoming.{key}"
        )
        cursor.execute(update)
        cursor.execute(f"DROP TABLE {incoming}")


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _quoted_columns(fields: Sequence[models.Field]) -> str:
    return ", ".join(connection.ops.quote_name(field.column) for field in fields)


def _copy_to_temporary_table(cursor, model, fields, rows) -> str:
    """A temporary table of ``fields``' columns (dropped at commit at the latest) holding
    ``rows``, sent with COPY; returns its quoted name."""
    incoming = connection.ops.quote_name(f"incoming_{model._meta.db_table}")
    definition = ", ".join(
        f"{connection.ops.quote_name(field.column)} {field.db_type(connection)}" for field in fields
    )
    json_positions = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{incoming}")
    cursor.execute(f"CREATE TEMPORARY TABLE {incoming} ({definition}) ON COMMIT DROP")
    with cursor.cursor.copy(f"COPY {incoming} ({_quoted_columns(fields)}) FROM STDIN") as copy:
        for row in _with_json_text(rows, json_positions):
            copy.write_row(row)
    return incoming


def _copy_with_shared_json(cursor, model, fields, rows, json_positions) -> tuple[str, str]:
    """Like ``_copy_to_temporary_table``, but each JSON column holds an integer key into a
    second temporary table of the batch's distinct JSON values (key, value): returns both
    quoted names (the second empty without JSON columns)."""
    if not json_positions:
        return _copy_to_temporary_table(cursor, model, fields, rows), ""
    table = model._meta.db_table
    incoming = connection.ops.quote_name(f"incoming_{table}")
    values = connection.ops.quote_name(f"incoming_json_{table}")
    definition = ", ".join(
        f"{connection.ops.quote_name(field.column)} "
        f"{'integer' if position in json_positions else field.db_type(connection)}"
        for position, field in enumerate(fields)
    )
    keys: dict[str, int] = {}
    keyed_rows = []
    for row in rows:
        row = list(row)
        for position in json_positions:
            value = row[position]
            if value is not None:  # as Django stores None: SQL NULL
                text = value if isinstance(value, JsonText) else encode_json(value)
                row[position] = keys.setdefault(text, len(keys))
        keyed_rows.append(row)
    for name in (incoming, values):
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{name}")
    cursor.execute(f"CREATE TEMPORARY TABLE {incoming} ({definition}) ON COMMIT DROP")
    cursor.execute(f"CREATE TEMPORARY TABLE {values} (key integer, value jsonb) ON COMMIT DROP")
    with cursor.cursor.copy(f"COPY {values} (key, value) FROM STDIN") as copy:
        for text, key in keys.items():
            copy.write_row((key, text))
    with cursor.cursor.copy(f"COPY {incoming} ({_quoted_columns(fields)}) FROM STDIN") as copy:
        for row in keyed_rows:
            copy.write_row(row)
    return incoming, values


def _decoded(row: Sequence[object], json_positions: list[int]) -> Sequence[object]:
    if not any(isinstance(row[position], JsonText) for position in json_positions):
        return row
    return [json.loads(value) if isinstance(value, JsonText) else value for value in row]


def _with_json_text(
    rows: Iterable[Sequence[object]], positions: list[int]
) -> Iterable[Sequence[object]]:
    if not positions:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for position in positions:
            value = row[position]
            if value is not None and not isinstance(value, JsonText):  # None: SQL NULL
                row[position] = encode_json(value)
        yield row


def _is_json(model: type[models.Model], name: str) -> bool:
    return isinstance(model._meta.get_field(name), models.JSONField)


def _field_name(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).name
