"""SQLite connections as cosell opens them (`partners.infra.engines.CosellSQLiteEngine`).

Every connection gets its settings once, when opened: foreign keys on, and
`PRAGMA synchronous` from `COSELL_SQLITE_SYNCHRONOUS` (default NORMAL; `Settings`). In WAL mode
(`partners.infra.migrate`) NORMAL writes a commit to the WAL without waiting for the
disk (fsync at checkpoints only): a commit survives the process crashing or being killed,
and only the last commits before a power loss or an OS crash may be lost (the file stays
consistent). FULL (SQLite's default) fsyncs the WAL at every commit — two per write
request (the cost-budget upsert, then the transaction), 2.5–4.5 ms each at the median on
the benchmark machine (issue 38 item 5, bench/RESULTS.md). docs/operations.md, "Database and pool sizing".
"""

from __future__ import annotations

import asyncio

from partners.infra.settings import SYNCHRONOUS_LEVELS


async def connect(connection_kwargs: dict, synchronous: str):
    """A new aiosqlite connection with cosell's settings, rows as dicts."""
    import aiosqlite
    from piccolo.engine.sqlite import dict_factory

    if synchronous not in SYNCHRONOUS_LEVELS:  # never into the PRAGMA's text otherwise
        raise ValueError(f"PRAGMA synchronous must be one of {', '.join(SYNCHRONOUS_LEVELS)}, not {synchronous!r}")

    connection = aiosqlite.connect(**connection_kwargs)
    connection._thread.daemon = True  # aiosqlite runs each connection in a thread of its own
    await connection
    # One hop to the connection's thread for both settings.
    await connection.executescript(f"PRAGMA foreign_keys = 1; PRAGMA synchronous = {synchronous};")
    connection.row_factory = dict_factory
    return connection


async def fetch_all(connection, query: str, args) -> list:
    """Run one statement and return its rows in one hop to the connection's thread
    (aiosqlite's execute, fetchall and cursor close would be three: each a queue put, a
    thread wake-up and an event-loop wake-up)."""
    return await connection.execute_fetchall(query, args or [])


async def run_in_transaction(engine, connection, query: str, args=None, query_type: str = "generic", table=None):
    """`CosellSQLiteEngine._run_in_existing_connection`: a statement of a transaction in one
    hop. Piccolo's sets `PRAGMA foreign_keys` before each one; the connection has it (connect)."""
    if query_type == "insert" and engine.get_version_sync() < 3.35:
        from piccolo.engine.sqlite import SQLiteEngine

        return await SQLiteEngine._run_in_existing_connection(engine, connection, query, args, query_type, table)
    return await fetch_all(connection, query, args)


async def run_once(engine, query: str, args, query_type: str, table):
    """A statement outside a transaction on a connection of its own (no kept one is
    open or idle), opened with the same settings."""
    if query_type == "insert" and engine.get_version_sync() < 3.35:
        from piccolo.engine.sqlite import SQLiteEngine

        return await SQLiteEngine._run_in_new_connection(engine, query, args, query_type, table)
    connection = await engine.get_connection()
    try:
        return await fetch_all(connection, query, args)
    finally:
        await connection.close()


async def take_kept(engine):
    """A connection for a transaction: a kept one when one is idle or may be opened (no
    thread and file to open per transaction, issue 38 item 5), else one of its own."""
    if engine.keep_connections:
        idle, every = engine._kept.setdefault(asyncio.get_running_loop(), ([], []))
        if idle:
            return idle.pop()
        if len(every) < engine.keep_connections:
            every.append(await engine.get_connection())
            return every[-1]
    return await engine.get_connection()


async def give_back(engine, connection) -> None:
    """After a transaction: a kept connection is idle again, unless it is still in a
    transaction (its COMMIT or ROLLBACK failed); that one, or one of its own, is closed."""
    kept = engine._kept.get(asyncio.get_running_loop())
    if kept is not None and connection in kept[1]:
        if connection._connection is not None and not connection.in_transaction:
            kept[0].append(connection)
            return
        kept[1].remove(connection)
    await connection.close()
