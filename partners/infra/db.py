"""What code above the engines uses: transactions, row locks, statement counting.

    async with transaction():                 # every domain write runs in one
        await lock_for_update(table, row_id)  # before reading the row to update it
        ...
        after_commit(cache.clear)             # called once it has committed

Every statement an engine runs (`partners.infra.engines`) is counted into the current
`StatementCounter`, so tests and benchmarks can prove there is no N+1.
"""

from __future__ import annotations

import contextvars
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


@dataclass
class StatementCounter:
    count: int = 0


_counter: contextvars.ContextVar[StatementCounter | None] = contextvars.ContextVar(
    "cosell_statement_counter", default=None
)


@contextmanager
def count_statements() -> Iterator[StatementCounter]:
    """Count the SQL statements run in this context (and tasks spawned from it)."""
    counter = StatementCounter()
    token = _counter.set(counter)
    try:
        yield counter
    finally:
        _counter.reset(token)


@contextmanager
def uncounted() -> Iterator[None]:
    """Run infrastructure statements (audit, budgets, idempotency) outside the request's
    count, so `sqlStatements` keeps measuring what the resolvers do."""
    token = _counter.set(None)
    try:
        yield
    finally:
        _counter.reset(token)


def record_statement() -> None:
    """Count one statement into the current counter: the engines call it for each statement
    they run, and so does code that runs one on a driver connection of its own."""
    counter = _counter.get()
    if counter is not None:
        counter.count += 1


def run_after_commit(transaction) -> None:
    """The engines' transactions call it once the outermost one has committed."""
    for callback in transaction.__dict__.pop("after_commit", ()):
        callback()


def current_engine() -> Engine:
    """The engine the domain tables are bound to."""
    from partners.infra.piccolo_app import APP_CONFIG

    return APP_CONFIG.table_classes[0]._meta.db


class _Savepoint:
    """`transaction()` inside another one: a SAVEPOINT of it, so the inner block stays
    all-or-nothing when its caller catches the error (each mutation field runs in one
    outer transaction with its audit row, schema.audit.extension)."""

    def __init__(self, parent) -> None:
        self.parent = parent

    async def __aenter__(self):
        self.savepoint = await self.parent.savepoint()
        return self.parent

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if exception is None:
            await self.savepoint.release()
        else:
            try:
                await self.savepoint.rollback_to()
            except Exception:  # noqa: BLE001 - the connection is gone: the outer transaction fails with the original error
                pass
        return False


def after_commit(callback) -> None:
    """Call `callback()` once the current transaction has committed (now, outside one);
    never when it rolls back. For in-process caches that must not see uncommitted data."""
    current = current_engine().current_transaction.get()
    if current is None:
        callback()
    else:
        current.__dict__.setdefault("after_commit", []).append(callback)


def transaction():
    """`async with transaction():` — every domain write runs in one.

    On SQLite it is IMMEDIATE: the write lock is taken at BEGIN, so a read-then-write
    cannot be interleaved with another writer (no lost update, no late SQLITE_BUSY).
    Nested calls run in a savepoint of the outer transaction: they commit with it, and
    an error leaving the inner block undoes the inner block only.
    """
    engine = current_engine()
    parent = engine.current_transaction.get()
    if parent is not None:
        return _Savepoint(parent)
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def lock_for_update(table, row_id) -> None:
    """Inside `transaction()`: take the row's write lock before reading it for a
    read-modify-write, so concurrent writers (in any instance) queue instead of overwriting
    each other's update. PostgreSQL: `SELECT … FOR UPDATE`; SQLite: nothing to do, the
    IMMEDIATE transaction already holds the database's single write lock."""
    if table._meta.db.engine_type == "postgres":
        pk = table._meta.primary_key._meta.db_column_name
        await table.raw(f'SELECT "{pk}" FROM "{table._meta.tablename}" WHERE "{pk}" = {{}} FOR UPDATE', row_id)


def is_unique_violation(exc: BaseException) -> bool:
    """A write refused by a unique constraint (both engines): the concurrent twin of a
    check the domain already made, to be answered with the same UserError."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc)
    return type(exc).__name__ == "UniqueViolationError"  # asyncpg
