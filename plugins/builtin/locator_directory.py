"""Keeps the locator index (`locator_index`) in step with the database (D7).

Database triggers (migration `2026-11-23T14:41:08`) bump `directory_version.version` and
log the partner in `directory_change` whenever a partner's indexed fields or its served
regions, countries, languages or specializations change, whoever writes. Before each
search, one statement reads the counter and the changes since the index's version:

- nothing new: the index is current;
- a few changes: those partners are reloaded (two more statements) and re-listed;
- a new `generation` (the counter row was recreated, e.g. tables truncated), a gap
  (changes pruned), too many changes, or a long unordered tail: a full rebuild.

So a write committed before a request starts is visible to that request, in every worker
process and every instance, each keeping its own index. The index is built on the first
locator request of a process, not at startup.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from partners.infra.db import current_engine, record_statement
from partners.people.enums import PartnerStatus
from partners.people.tables import (
    Partner,
    PartnerCountryServed,
    PartnerLanguage,
    PartnerRegionServed,
    PartnerSpecialization,
)
from plugins.builtin.locator_index import DirectoryIndex

# More changes than this since the index was built or last refreshed: rebuild instead.
MAX_CHANGES = 2_000
# Rebuild once the unordered tail exceeds this many positions, or a tenth of the index.
MAX_TAIL = 2_000

_LISTS = {
    "region": PartnerRegionServed,
    "country": PartnerCountryServed,
    "language": PartnerLanguage,
    "specialization": PartnerSpecialization,
}
_COLUMNS = ("p.id, p.name, p.nickname, p.partner_type, p.track, p.country, p.city, p.latitude, p.longitude, "
            "p.delivered_engagements")
# P1: only authorized, published partners are listed.
_LISTED = "p.status = {} AND p.published = {}"
_LISTED_ARGS = (PartnerStatus.AUTHORIZED.value, True)


def _in(values) -> str:
    return "(" + ", ".join("{}" for _ in values) + ")"


def state_sql(version: int) -> tuple[str, list[Any]]:
    """The counter and each change after `version` (one row with `change` NULL if none)."""
    return (
        "SELECT v.generation, v.version, c.version AS change, c.partner FROM directory_version v "
        "LEFT JOIN directory_change c ON c.version > {} WHERE v.id = 1 ORDER BY c.version "
        f"LIMIT {MAX_CHANGES + 1}",
        [version],
    )


def partners_sql(ids: list[int] | None = None) -> tuple[str, list[Any]]:
    """The listed partners' indexed columns (all, or those of `ids`)."""
    sql = f"SELECT {_COLUMNS} FROM partner p WHERE {_LISTED}"
    if ids is None:
        return sql, list(_LISTED_ARGS)
    return f"{sql} AND p.id IN {_in(ids)}", [*_LISTED_ARGS, *ids]


def grouped_lists_sql(postgres: bool) -> str:
    """Every list value with the ids of the partners that have it, one row per value."""
    ids = "array_agg(partner)" if postgres else "group_concat(partner)"
    return " UNION ALL ".join(
        f"SELECT '{kind}' AS kind, value, {ids} AS ids FROM {table._meta.tablename} GROUP BY value"
        for kind, table in _LISTS.items()
    )


def lists_sql(ids: list[int]) -> tuple[str, list[Any]]:
    sql = " UNION ALL ".join(
        f"SELECT '{kind}' AS kind, partner, value FROM {table._meta.tablename} WHERE partner IN {_in(ids)}"
        for kind, table in _LISTS.items()
    )
    return sql, ids * len(_LISTS)


class _SQLiteReads:
    """Small reads on one kept connection.

    Piccolo's SQLite engine opens a connection (and a thread) per statement, ~2 ms each;
    the version check and a page read are primary-key and index look-ups of well under a
    millisecond, so they run here, inline. In WAL mode a reader never waits for a writer,
    and in autocommit each SELECT sees everything committed before it.
    """

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, timeout=1.0, isolation_level=None, check_same_thread=False)
        self.connection.row_factory = lambda cursor, row: {
            column[0]: value for column, value in zip(cursor.description, row)
        }

    def fetch(self, sql: str, args: list[Any]) -> list[dict]:
        record_statement()
        return self.connection.execute(sql.replace("{}", "?"), args).fetchall()


class Directory:
    """The index of one database, refreshed before each search."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self._sqlite = _SQLiteReads(engine.path) if isinstance(engine, SQLiteEngine) else None
        self.index: DirectoryIndex | None = None
        self.generation: float | None = None
        self.version = 0
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    async def current(self) -> DirectoryIndex:
        """The index, with every directory change committed so far applied."""
        async with self._lock_for_this_loop():
            await self._refresh()
        assert self.index is not None
        return self.index

    async def fetch(self, sql: str, args: list[Any]) -> list[dict]:
        """A small read (`{}` placeholders), for the refresh and the lookup's page."""
        if self._sqlite is not None:
            return self._sqlite.fetch(sql, args)
        return await Partner.raw(sql, *args)

    def _lock_for_this_loop(self) -> asyncio.Lock:
        # One lock per event loop: requests of a worker refresh one at a time.
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def _refresh(self) -> None:
        rows = await self.fetch(*state_sql(self.version))
        generation, version = (rows[0]["generation"], rows[0]["version"]) if rows else (None, 0)
        if self.index is not None and generation == self.generation and version == self.version:
            return
        changes = [row for row in rows if row["change"] is not None]
        incremental = (
            self.index is not None
            and generation == self.generation
            and version > self.version
            and len(changes) <= MAX_CHANGES
            and changes and changes[0]["change"] == self.version + 1  # not pruned
            and self.index.tail_size <= max(MAX_TAIL, self.index.size // 10)
        )
        if incremental:
            await self._apply(sorted({row["partner"] for row in changes}))
        else:
            await self._build()
        self.generation, self.version = generation, version

    async def _build(self) -> None:
        # Changes committed after the state was read may already show here: they are
        # applied again at the next refresh, which is harmless.
        sql, args = partners_sql()
        partners = await Partner.raw(sql, *args)
        groups = await Partner.raw(grouped_lists_sql(isinstance(self.engine, PostgresEngine)))
        values = [
            (row["kind"], row["value"],
             row["ids"] if isinstance(row["ids"], list) else map(int, row["ids"].split(",")))
            for row in groups
        ]
        self.index = DirectoryIndex.build(partners, values)

    async def _apply(self, changed: list[int]) -> None:
        partners = await self.fetch(*partners_sql(changed))
        values: dict[int, dict[str, list[str]]] = {}
        if partners:
            for row in await self.fetch(*lists_sql([row["id"] for row in partners])):
                values.setdefault(row["partner"], {}).setdefault(row["kind"], []).append(row["value"])
        assert self.index is not None
        for partner_id in changed:
            self.index.remove(partner_id)
        for row in partners:
            self.index.add(row, values.get(row["id"], {}))


_directories: dict[int, Directory] = {}


def directory() -> Directory:
    """The directory of the database the tables are bound to (one per engine per process)."""
    engine = current_engine()
    found = _directories.get(id(engine))
    if found is None or found.engine is not engine:
        found = _directories[id(engine)] = Directory(engine)
    return found
