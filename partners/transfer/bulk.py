"""Batched INSERTs of plain values (issue 35's import speed).

Building a Piccolo row object per record, and compiling a statement of thousands of
parameters, cost more than the database's work (bench/RESULTS.md, issue 35). Inside a
transaction the rows go straight to the driver, on the transaction's own connection:
one multi-row `INSERT … VALUES (…), (…) RETURNING id` when the ids are needed, else one
`executemany` (SQLite's C loop). On PostgreSQL the rows go by binary COPY
(`copy_records_to_table`) instead: a 500-row, 15,000-parameter INSERT was parsed, planned
and bound anew by the server for each batch, and `executemany` paid a round of the
protocol per row; COPY is one stream the server feeds straight to the table and its
indexes (bench/RESULTS.md, issue 35 item 2). The ids, when needed, are drawn from the
table's own sequence first (`nextval`, what the column's default does) and written with
the rows. Triggers and constraints apply to COPY as to INSERT. Each counts as a
statement (`record_statement`), as on the engines. Outside a transaction (never in the
import), `Table.raw` does it. Columns a row leaves out take the column's default, as
Piccolo would.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from piccolo.columns.defaults.base import Default

from partners.infra.db import current_engine, record_statement

MAX_PARAMETERS = 30_000  # under PostgreSQL's 32,767 and SQLite's 32,766 per statement


_SHAPES: dict[type, tuple[list[str], str, list[tuple[str, bool, object]]]] = {}


def _shape(table) -> tuple[list[str], str, list[tuple[str, bool, object]]]:
    """(column names, their SQL list, [(name, default is callable, default)]), once per table."""
    if table not in _SHAPES:
        columns = [c for c in table._meta.columns if not c._meta.primary_key]
        defaults = []
        for c in columns:
            default = getattr(c, "default", None)
            default = default.value if isinstance(default, Enum) else default
            if isinstance(default, Default):  # TimestamptzNow, DateNow …: the value now
                default = default.python
            defaults.append((c._meta.name, callable(default), default))
        _SHAPES[table] = ([c._meta.name for c in columns],
                          ", ".join(f'"{c._meta.db_column_name}"' for c in columns), defaults)
    return _SHAPES[table]


async def insert(table, rows: list[dict[str, Any]], *, returning: bool = True) -> list[int]:
    """Insert the rows (column name -> value) in order; their new ids when `returning`."""
    if not rows:
        return []
    columns, names, specs = _shape(table)
    defaults = {name: value() if is_callable else value for name, is_callable, value in specs}
    placeholders = "(" + ", ".join("{}" for _ in columns) + ")"
    per_statement = max(1, MAX_PARAMETERS // len(columns))
    connection, postgres = _driver_connection()
    if connection is not None and postgres:
        return await _copy(connection, table, rows, columns, defaults, returning)
    if connection is not None and not returning:
        args = [_row_args(row, columns, defaults) for row in rows]
        marks = ", ".join(f"${i + 1}" if postgres else "?" for i in range(len(columns)))
        record_statement()
        await connection.executemany(f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({marks})', args)
        return []
    ids: list[int] = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        args = [value for row in chunk for value in _row_args(row, columns, defaults)]
        tail = ' RETURNING "id"' if returning else ""
        if connection is None:
            sql = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ' + ", ".join(
                placeholders for _ in chunk) + tail
            result = await table.raw(sql, *args)
        else:
            width = len(columns)
            groups = ("(" + ", ".join(f"${r * width + i + 1}" if postgres else "?" for i in range(width)) + ")"
                      for r in range(len(chunk)))
            sql = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ' + ", ".join(groups) + tail
            record_statement()
            if postgres:
                result = await connection.fetch(sql, *args)
            else:
                async with connection.execute(sql, args) as cursor:
                    result = [r if isinstance(r, dict) else {"id": r[0]} for r in await cursor.fetchall()]
        if returning:
            ids += [r["id"] for r in result]
    return ids


_SEQUENCES: dict[type, str] = {}


async def _copy(connection, table, rows: list[dict[str, Any]], columns: list[str], defaults: dict[str, Any],
                returning: bool) -> list[int]:
    """PostgreSQL: the rows by binary COPY; their ids drawn from the id sequence first."""
    name = table._meta.tablename
    db_columns = [c._meta.db_column_name for c in table._meta.columns if not c._meta.primary_key]
    records = [_row_args(row, columns, defaults) for row in rows]
    ids: list[int] = []
    if returning:
        if table not in _SEQUENCES:
            pk = table._meta.primary_key._meta.db_column_name
            _SEQUENCES[table] = await connection.fetchval("SELECT pg_get_serial_sequence($1, $2)", f'"{name}"', pk)
        record_statement()
        ids = sorted(r[0] for r in await connection.fetch(
            "SELECT nextval($1::regclass) FROM generate_series(1, $2)", _SEQUENCES[table], len(rows)))
        records = [(i, *values) for i, values in zip(ids, records)]
        db_columns = [table._meta.primary_key._meta.db_column_name, *db_columns]
    record_statement()
    await connection.copy_records_to_table(name, records=records, columns=db_columns)
    return ids


def _row_args(row: dict[str, Any], columns: list[str], defaults: dict[str, Any]) -> list[Any]:
    out = []
    for name in columns:
        value = row.get(name, defaults[name])
        out.append(value.value if isinstance(value, Enum) else value)
    return out


def _driver_connection():
    """(the current transaction's driver connection, is PostgreSQL), or (None, False) outside one."""
    engine = current_engine()
    transaction = engine.current_transaction.get()
    if transaction is None:
        return None, False
    return transaction.connection, engine.engine_type == "postgres"


def driver_connection():
    """The current transaction's asyncpg connection on PostgreSQL, else None (SQLite, or
    outside a transaction: the caller goes through Piccolo)."""
    connection, postgres = _driver_connection()
    return connection if postgres else None
