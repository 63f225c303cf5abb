"""Database engines: choose SQLite or PostgreSQL from a URL, open and close them.

`DATABASE_URL` picks the engine: `sqlite:///path/to/file` (the default, an embedded
file under `var/`) or `postgresql://user@host:port/db`.  Every statement runs through
`run_querystring`/`run_ddl`, where the engines below count it into the current
`StatementCounter` (`partners.infra.db`) so tests and benchmarks can prove there is no N+1.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import weakref
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

from partners.infra import sqlite_connections, tracing
from partners.infra.db import record_statement, run_after_commit
from partners.infra.request_connection import fetch_on_request_connection


class DatabaseBusy(RuntimeError):
    """SQLite stayed locked by another writer through every retry: a clear, retryable error."""

    extensions = {"code": "DATABASE_BUSY", "retryAfter": 1}

    def __init__(self) -> None:
        super().__init__("The database is busy with other writes; retry in a moment.")


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


async def _retry_when_locked(engine: "CosellSQLiteEngine", operation):
    """Run `operation()`; on "database is locked" (after SQLite's own busy timeout) retry a
    bounded number of times, then raise DatabaseBusy."""
    for attempt in range(engine.busy_retries + 1):
        try:
            return await operation()
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc):
                raise
            if attempt == engine.busy_retries:
                raise DatabaseBusy() from exc
            await asyncio.sleep(0.05 * (attempt + 1))


class CosellSQLiteTransaction(SQLiteTransaction):
    async def get_connection(self):
        return await sqlite_connections.take_kept(self.engine)  # issue 38 item 5

    async def begin(self):
        try:
            await _retry_when_locked(self.engine, super().begin)
        except BaseException:  # it never began: __aexit__ will not run to give the connection back
            await sqlite_connections.give_back(self.engine, self.connection)
            raise

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:  # Piccolo's, but a kept connection is kept
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            await sqlite_connections.give_back(self.engine, self.connection)
        if exception is None:
            run_after_commit(self)
        return exception is None


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# The first keywords a statement span may name; anything else is "OTHER" (never any text of
# the statement beyond its keyword and its table: no values, no parameters).
_KEYWORDS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH", "CREATE", "ALTER", "DROP",
                       "TRUNCATE", "PRAGMA", "SET", "SHOW", "EXPLAIN", "VALUES", "LOCK", "BEGIN", "COMMIT",
                       "ROLLBACK", "SAVEPOINT", "RELEASE", "ANALYZE", "VACUUM"})


_WORD = re.compile(r"[A-Za-z]+")
_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE|TABLE)\s+"?([A-Za-z_][A-Za-z0-9_]*)', re.IGNORECASE)


def statement_span(system: str, statement):
    """A span per SQL statement inside a traced request or job (issue 42): its first
    keyword and table (`SELECT opportunity`), never its text or parameters."""
    if not tracing.in_trace():
        return tracing.NOOP  # tracing off, or no request or job around
    keyword, table = _keyword_and_table(statement)
    attributes = {"db.system.name": system, "db.operation.name": keyword}
    if table:
        attributes["db.collection.name"] = table
    return tracing.span(f"{keyword} {table}" if table else keyword, attributes, kind=tracing.CLIENT)


def _keyword_and_table(statement) -> tuple[str, str | None]:
    table = getattr(getattr(getattr(statement, "table", None), "_meta", None), "tablename", None)
    for _ in range(8):  # a composed QueryString: its text starts with its first argument's
        template = statement if isinstance(statement, str) else getattr(statement, "template", "")
        template = template.lstrip(" \n\t(")
        args = getattr(statement, "args", ())
        if template.startswith("{}") and args and not isinstance(args[0], (str, int, float)):
            statement = args[0]
            continue
        word = _WORD.match(template)
        keyword = word.group(0).upper() if word else ""
        if table is None:
            named = _TABLE.search(template)  # the statement's own text, never its parameters
            table = named.group(1) if named else None
        return (keyword if keyword in _KEYWORDS else "OTHER"), table
    return "OTHER", table


class CosellSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, with bounded retries when locked and, while an app has the
    database open, connections kept for statements and transactions.

    Piccolo opens a connection (and its thread) for each statement outside a transaction:
    ~1–2 ms of wall time and ~0.5 ms of CPU each, a dozen times per request (issue 11).
    Between `open_database` and `close_database` such statements run on up to
    `pool_max` kept connections instead, each in autocommit as Piccolo's own (every
    statement sees everything committed before it; in WAL mode readers never wait for a
    writer); writes among them take turns (see `_run_in_new_connection`). A transaction
    takes an idle kept one too (`sqlite_connections.take_kept`). Kept connections belong
    to the event loop that opened them; their threads are daemons, so a process that
    forgets to close never hangs on exit.
    """

    busy_retries = 3
    synchronous = "NORMAL"  # COSELL_SQLITE_SYNCHRONOUS (partners/infra/sqlite_connections.py)
    keep_connections = 0  # set by open_database

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[asyncio.AbstractEventLoop, tuple[list, list]] = {}  # loop -> (idle, all)
        self._writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        if not query.lstrip()[:7].upper().startswith(_WRITES):
            return await self._run_statement(query, args, query_type, table)
        # One autocommit write at a time per process. SQLite has one writer; a write that
        # finds the lock taken sleeps in SQLite's busy handler (backing off to 100 ms
        # sleeps), so with every request's budget upsert on a dozen connections the
        # unlucky ones waited seconds (p99 2.5–4 s at 32 clients, issue 17). Queued here,
        # they wait only for each other, and only the other processes' writes contend.
        loop = asyncio.get_running_loop()
        writer = self._writers.get(loop)
        if writer is None:
            writer = self._writers[loop] = asyncio.Lock()
        async with writer:
            return await self._run_statement(query, args, query_type, table)

    async def _run_statement(self, query, args, query_type, table):
        if not self.keep_connections:
            return await sqlite_connections.run_once(self, query, args, query_type, table)
        idle, every = self._kept.setdefault(asyncio.get_running_loop(), ([], []))
        if idle:
            connection = idle.pop()
        elif len(every) < self.keep_connections:
            connection = await self.get_connection()
            every.append(connection)
        else:  # all busy: a connection of its own, as Piccolo does
            return await sqlite_connections.run_once(self, query, args, query_type, table)
        try:
            if query_type == "insert" and self.get_version_sync() < 3.35:
                async with connection.execute(query, args or []) as cursor:
                    rows = [{table._meta.primary_key._meta.db_column_name: await self._get_inserted_pk(cursor, table)}]
            else:
                rows = await sqlite_connections.fetch_all(connection, query, args)
        except BaseException:
            every.remove(connection)
            await connection.close()
            raise
        idle.append(connection)
        return rows

    async def get_connection(self):  # Piccolo's, and each kept one
        return await sqlite_connections.connect(self.connection_kwargs, self.synchronous)

    _run_in_existing_connection = sqlite_connections.run_in_transaction

    async def close_kept_connections(self) -> None:
        kept, self._kept = self._kept, {}
        for _, every in kept.values():
            for connection in every:
                try:
                    await connection.close()
                except Exception:  # noqa: BLE001 - its loop may be gone; the thread is a daemon
                    pass

    def configure_busy(self, *, timeout: float, retries: int, synchronous: str = "NORMAL") -> None:
        self.connection_kwargs["timeout"] = timeout
        self.busy_retries, self.synchronous = retries, synchronous

    def transaction(self, transaction_type=TransactionType.deferred, allow_nested: bool = True):
        return CosellSQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def run_querystring(self, querystring, in_pool: bool = False):
        record_statement()
        with statement_span("sqlite", querystring):
            if self.current_transaction.get() is not None:  # the lock is held (IMMEDIATE) or retrying is unsafe
                return await super().run_querystring(querystring, in_pool=in_pool)
            return await _retry_when_locked(
                self, lambda: super(CosellSQLiteEngine, self).run_querystring(querystring, in_pool=in_pool))

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        record_statement()
        with statement_span("sqlite", ddl):
            return await super().run_ddl(ddl, in_pool=in_pool)


def is_connection_lost(exc: BaseException | None) -> bool:
    """The database went away under this request (restart, failover, network): a retryable
    outage, not a bug. Looks through the exception's causes (a failed rollback on a dead
    connection hides the original error)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, (ConnectionError, DatabaseConnectionLost, asyncpg.PostgresConnectionError,
                            asyncpg.exceptions.OperatorInterventionError)):
            return True  # refused, reset; 08xxx connection errors; 57xxx shutdown, cannot connect now
        if isinstance(exc, OSError) and "Connect call failed" in str(exc):
            return True  # asyncio's error when every address of the host refused
        if isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc):
            return True  # "connection is closed", "the underlying connection is closed"
        if isinstance(exc, asyncpg.exceptions.InternalClientError) and "cannot switch to state" in str(exc):
            return True  # a pooled connection still consuming the server's FATAL "terminating connection"
        exc = exc.__cause__ or exc.__context__
    return False


class DatabaseConnectionLost(RuntimeError):
    """A transaction's connection died under it; PostgreSQL rolled the transaction back."""


class CosellPostgresTransaction(PostgresTransaction):
    """Piccolo's transaction, safe when the connection dies (PostgreSQL restarted, network
    cut): the connection always goes back to the pool — which replaces a dead one on the
    next acquire — and the transaction context is always left, so the service recovers
    without a restart. Nothing is half-written: a connection that died before COMMIT was
    answered rolls back on the server."""

    async def __aenter__(self):
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            self.transaction = self.connection.transaction()
            await self.begin()
        except BaseException:
            await self._give_back()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception is not None:
                if self.connection.is_closed():
                    raise DatabaseConnectionLost("the connection closed during the transaction") from exception
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._give_back()
        if exception is None:
            run_after_commit(self)
        return exception is None

    async def _give_back(self) -> None:
        if self.engine.pool:
            await self.engine.pool.release(self.connection)  # a closed one is dropped, reconnected later
        else:
            await self.connection.close()


class CosellPostgresEngine(PostgresEngine):
    metered = False  # COSELL_METRICS: the pool records its waits and size (partners.infra.pool.MeteredPool)

    def configure_metrics(self, on: bool) -> None:
        """With COSELL_METRICS on, the pool records its waits and size from now on, an open one
        too (the apps of one process share it); once on, on for the process."""
        if on:
            self.metered = True
            self._meter_pool()

    def _meter_pool(self) -> None:
        from partners.infra.pool import MeteredPool

        if self.metered and self.pool is not None and not isinstance(self.pool, MeteredPool):
            self.pool.__class__ = MeteredPool  # same slots: only the acquire and release differ
            self.pool.measure()

    def transaction(self, allow_nested: bool = True) -> CosellPostgresTransaction:
        return CosellPostgresTransaction(engine=self, allow_nested=allow_nested)

    def configure_statement_cache(self, size: int) -> None:
        """asyncpg's prepared-statement cache size for the connections opened from now on
        (the pool and one-off connections). 0 behind pgbouncer in transaction pooling mode:
        asyncpg then uses only unnamed statements, which live within one protocol exchange
        and so within the transaction pgbouncer lent the server connection for."""
        if size < 0:
            raise ValueError("COSELL_DB_STATEMENT_CACHE_SIZE must be 0 or more")
        self.config["statement_cache_size"] = size

    async def start_connection_pool(self, **kwargs) -> None:
        from partners.infra.pool import reset_on_release

        # No reset round trip after each release unless session state was used (issue 17).
        kwargs.setdefault("reset", reset_on_release)
        await super().start_connection_pool(**kwargs)
        self._meter_pool()

    async def run_querystring(self, querystring, in_pool: bool = True):
        record_statement()
        with statement_span("postgresql", querystring):
            return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True):
        record_statement()
        with statement_span("postgresql", ddl):
            return await super().run_ddl(ddl, in_pool=in_pool)

    async def _run_in_pool(self, query: str, args=None):
        # Within a request, on the request's connection (partners/infra/request_connection.py).
        ran, rows = await fetch_on_request_connection(self.pool, query, args or ())
        return rows if ran else await super()._run_in_pool(query, args)


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def sqlite_path(url: str) -> Path:
    if not url.startswith("sqlite:///"):
        raise ValueError(
            f"Unsupported DATABASE_URL {redact_url(url)!r}: use sqlite:///path or postgresql://…"
        )
    return Path(url[len("sqlite:///") :])


def redact_url(url: str) -> str:
    """The URL without its password, fit for logs and error messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


_engines: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine object per URL per process (Piccolo's config and the app share it)."""
    engine = _engines.get(url)
    if engine is None:
        engine = _make_engine(url)
        _engines[url] = engine
    return engine


def _make_engine(url: str) -> Engine:
    if is_postgres_url(url):
        return CosellPostgresEngine(config={"dsn": url}, log_queries=False)
    path = sqlite_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    # `timeout` is SQLite's busy timeout: writers wait for the lock instead of failing.
    return CosellSQLiteEngine(path=str(path), timeout=float(os.environ.get("COSELL_SQLITE_BUSY_TIMEOUT", "10")))


def configure_engine(engine: Engine, *, statement_cache_size: int, sqlite_busy_timeout: float,
                     sqlite_busy_retries: int, metrics: bool = False, sqlite_synchronous: str = "NORMAL") -> None:
    """Apply the settings that belong to the engine, before its pool opens."""
    if isinstance(engine, CosellPostgresEngine):
        engine.configure_statement_cache(statement_cache_size)
        engine.configure_metrics(metrics)
    elif isinstance(engine, CosellSQLiteEngine):
        engine.configure_busy(timeout=sqlite_busy_timeout, retries=sqlite_busy_retries, synchronous=sqlite_synchronous)


def bind_engine(engine: Engine) -> None:
    """Point every table of the app registry at `engine`."""
    from piccolo.apps.migrations.tables import Migration

    from partners.infra.piccolo_app import APP_CONFIG

    for table in [*APP_CONFIG.table_classes, Migration]:
        table._meta.db = engine


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; the message says where (without password)."""


# Apps that opened each engine's pool: several apps in one process (tests, embedding)
# share the process-wide engine, and the pool closes when the last one stops.
_pool_users: dict[int, int] = {}


async def open_database(engine: Engine, *, pool_min: int, pool_max: int) -> None:
    """Open the pool (PostgreSQL) and prove the database answers; fail fast otherwise."""
    try:
        if isinstance(engine, PostgresEngine) and _pool_users.get(id(engine), 0) == 0:
            await engine.start_connection_pool(min_size=pool_min, max_size=pool_max)
        if isinstance(engine, CosellSQLiteEngine):
            engine.keep_connections = pool_max
        _pool_users[id(engine)] = _pool_users.get(id(engine), 0) + 1
        await ping(engine)
    except Exception as exc:  # noqa: BLE001 - any driver error means "unreachable"
        await close_database(engine)
        raise DatabaseUnavailable(f"Cannot reach the database at {describe(engine)}: {exc}") from exc


async def close_database(engine: Engine) -> None:
    users = _pool_users.get(id(engine), 0) - 1
    _pool_users[id(engine)] = max(users, 0)
    if users <= 0 and isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
    if users <= 0 and isinstance(engine, CosellSQLiteEngine):
        engine.keep_connections = 0
        await engine.close_kept_connections()


async def ping(engine: Engine) -> None:
    await engine.run_ddl("SELECT 1")


def describe(engine: Engine) -> str:
    if isinstance(engine, PostgresEngine):
        return redact_url(engine.config.get("dsn", "postgresql"))
    return f"sqlite:///{engine.path}"
