"""One `cosell import` run: which files feed which entity, the report of rejected rows,
the dry run, and the audit entry that records the run."""

from __future__ import annotations

import csv
import gc
import sqlite3
import uuid
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from partners.infra import audit
from partners.infra.db import current_engine, transaction
from partners.transfer import salesforce
from partners.transfer.feeds import Feed, ImportRefused, native_feeds
from partners.transfer.accounts import AccountImport, ContactImport
from partners.transfer.base import EntityImport
from partners.transfer.entities import IMPORT_ORDER
from partners.transfer.importing import BATCH, Run, Tally, import_entity
from partners.transfer.opportunities import OpportunityImport
from partners.transfer.people import PartnerImport, UserImport
from partners.transfer.reading import Rejection
from partners.transfer.registrations import LeadImport, PlanImport, RegistrationImport

MODULES: dict[str, type[EntityImport]] = {
    "partners": PartnerImport, "users": UserImport, "accounts": AccountImport, "contacts": ContactImport,
    "opportunities": OpportunityImport, "registrations": RegistrationImport, "cosell_plans": PlanImport,
    "leads": LeadImport,
}
REPORT_HEADER = ["file", "line", "external_id", "field", "code", "rule", "message"]


@dataclass
class Result:
    tallies: dict[str, Tally]
    rejected: int
    report: Path | None
    dry_run: bool
    codes: list[str] = field(default_factory=list)


def feeds_for(paths: list[Path], origin: str | None) -> list[Feed]:
    if origin is None:
        return native_feeds(paths)
    if origin == "salesforce":
        if len(paths) != 1 or not paths[0].is_dir():
            raise ImportRefused("--from salesforce takes the directory of one Salesforce data export")
        return salesforce.feeds(paths[0]) + [f for f in native_feeds(paths) if f.entity not in salesforce.MAPPED]
    raise ImportRefused(f"unknown --from {origin!r}; known: salesforce")


@contextmanager
def few_collections(young: int = 50_000):
    """The import allocates millions of short-lived objects that reference counting frees;
    Python's cycle collector would otherwise run every 700 allocations and, now and then,
    walk every object of the process (modules, plugins). During the import: what exists
    before is frozen out of its reach and it runs every `young` allocations. Restored after."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(young, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@contextmanager
def wal_kept():
    """SQLite: one more connection to the database, idle, for the length of the import.
    Every batch is a transaction on a connection of its own, and the last connection to
    close checkpoints the write-ahead log into the database and deletes it: once per batch,
    the larger part of the writing thread's time. With this one open, the log is
    checkpointed as usual (every 1,000 pages) and at the end, when it closes: each batch's
    commit stays durable as before (synchronous is left as it is)."""
    engine = current_engine()
    if engine.engine_type != "sqlite":
        yield
        return
    holder = sqlite3.connect(engine.path)
    try:
        holder.execute("SELECT count(*) FROM sqlite_master").fetchall()  # opens the database and its log
        yield
    finally:
        holder.close()


@asynccontextmanager
async def pooled():
    """PostgreSQL, when no pool is open (the command line): a pool of the import's own, else
    each batch's transaction connects anew (a new server process each time) and asyncpg's
    prepared statements die with it. A plan kept from when a table was still empty is
    made again when the import refreshes its statistics (partners.transfer.importing).
    (`plan_cache_mode = force_custom_plan` was tried: planning every 500-row statement anew
    cost the server more than twice the CPU, bench/RESULTS.md.)"""
    engine = current_engine()
    if engine.engine_type != "postgres" or engine.pool is not None:
        yield
        return
    await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        yield
    finally:
        await engine.close_connection_pool()


class _DryRun(Exception):
    pass


async def run_import(paths: list[Path], *, rules, report_path: Path, origin: str | None = None,
                     source: str | None = None, dry_run: bool = False, batch: int = BATCH,
                     progress: Callable[[str, str, int, int], None] | None = None,
                     started: Callable[[Feed], None] | None = None,
                     parse_process_from: int | None = None) -> Result:
    """Import the files; every rejected row goes to `report_path` (CSV). A file of
    `parse_process_from` bytes or more is parsed by a second process (partners.transfer.stream)."""
    feeds = feeds_for(paths, origin)
    source = source or (origin or "csv")
    report_path.parent.mkdir(parents=True, exist_ok=True)
    codes: dict[str, None] = {}
    with open(report_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_HEADER)

        def report(r: Rejection) -> None:
            codes.setdefault(r.code)
            writer.writerow([r.file, r.line, r.external_id, r.field, r.code, r.rule, r.message])

        current: dict[str, Feed] = {}
        run = Run(rules=rules, report=report, source=source, batch=batch,
                  progress=lambda entity, rows, position: progress and progress(
                      entity, current["feed"].display, rows, position))
        if parse_process_from is not None:
            run.parse_process_from = parse_process_from

        async def body() -> None:
            for entity in IMPORT_ORDER:
                for feed in (f for f in feeds if f.entity == entity.name):
                    current["feed"] = feed
                    if started:
                        started(feed)
                    await import_entity(entity, MODULES.get(entity.name, EntityImport)(entity), feed.rows, run,
                                        feed.display, feed.size)

        with few_collections(), wal_kept():
            async with pooled():
                if dry_run:
                    try:
                        async with transaction():
                            await body()
                            raise _DryRun
                    except _DryRun:
                        pass
                else:
                    await body()
    rejected = sum(t.rejected for t in run.tallies.values())
    result = Result(run.tallies, rejected, report_path, dry_run, list(codes))
    if not dry_run:
        await _audit(result, feeds, source)
    return result


async def _audit(result: Result, feeds: list[Feed], source: str) -> None:
    """One audit row per run with its counts (no row per record: see docs/import-export.md)."""
    summary = {"files": [f.display for f in feeds], "source": source, "report": str(result.report),
               "counts": {name: asdict(t) for name, t in result.tallies.items()}}
    outcome = audit.Outcome(audit.USER_ERROR if result.rejected else audit.OK, tuple(result.codes[:40]))
    async with transaction():
        await audit.record(None, [audit.MutationCall("cosell import", summary, outcome)], f"import-{uuid.uuid4().hex}")
