"""Multi-row INSERTs written as one statement of plain values (issue 35's import speed).

Building a Piccolo row object per record and compiling it costs more than the database's
work (bench/RESULTS.md, issue 35); here a batch is one `INSERT … VALUES (…), (…) RETURNING
id` through `Table.raw`, so it still runs in the current transaction and is counted like
every statement. Columns a row leaves out take the column's default, as Piccolo would.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from piccolo.columns.defaults.base import Default

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
    ids: list[int] = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        args: list[Any] = []
        for row in chunk:
            for name in columns:
                value = row.get(name, defaults[name])
                args.append(value.value if isinstance(value, Enum) else value)
        sql = (f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES '
               + ", ".join(placeholders for _ in chunk) + (' RETURNING "id"' if returning else ""))
        result = await table.raw(sql, *args)
        if returning:
            ids += [r["id"] for r in result]
    return ids
