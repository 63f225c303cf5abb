"""`cosell import`: native rows, batch by batch, through the domain's rules into the tables.

For each entity (in `IMPORT_ORDER`), its file is read as a stream; each batch of rows is
parsed (cells to values), its references resolved by external id, checked by the entity's
rules (`partners.transfer.rules_of`), compared with what the records hold now (an
unchanged row writes nothing), then written in ONE transaction: new records with
multi-row INSERTs, changed ones updated, their child rows replaced, their external ids
remembered. A row that fails anything is a `Rejection` in the report and is not written;
the rest of its batch is. Should the batch's write still fail (a constraint the checks did
not foresee), the batch's write is rolled back (a savepoint) and done again row by row,
each in its own savepoint, so nothing half-written remains and only the refusing row is
reported.

A first import into an empty table (`is_fresh`) skips what only updates need (the rows'
own external ids, the normalized cells); a big file is parsed by a second process
(partners.transfer.stream), which also finds the file's duplicate external ids.

References to a record later in the same file (an account's parent) are `deferred`: such
a row waits until a later pass over the file finds its target written; what still waits
when a pass writes nothing is rejected (UNKNOWN_REFERENCE).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from partners.infra.db import current_engine, transaction
from partners.infra.errors import Violation
from partners.transfer import bulk, inflight as pipeline, keys, stream
from partners.transfer.children import CHILD_TABLES
from partners.transfer.entities import Entity
from partners.transfer.exporting import cells_of
from partners.transfer.formats import BadValue, decode, encode, reference_cell, split_reference
from partners.transfer.reading import Rejection, Row
from partners.transfer.tables import ExternalId

BATCH = 500


@dataclass
class Parsed:
    """One row on its way in."""

    line: int
    source: str
    key: str
    cells: dict[str, str]  # normalized: as an export of the record would write it
    values: dict[str, Any] = field(default_factory=dict)  # table column -> value (references as ids once resolved)
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (source, key)
    extra: dict[str, Any] = field(default_factory=dict)  # the entity module's child rows
    # (label, entity, (source, key), deferred): every record the row names, the children's too.
    needs: list[tuple[str, str, tuple[str, str], bool]] = field(default_factory=list)
    existing: int | None = None
    id: int | None = None
    violations: list[Violation] = field(default_factory=list)
    position: int = 0  # bytes of the file read up to this row (progress)
    # False on a first import into an empty table: no record to compare with, so the
    # normalized cells are not made (see `fresh`).
    keep_cells: bool = True

    def refuse(self, code: str, message: str, field_name: str = "", rule: str | None = None) -> None:
        self.violations.append(Violation(code, message, (field_name,) if field_name else (), rule))


@dataclass
class Tally:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


class Run:
    """What one `cosell import` carries from batch to batch: the resolved ids, the counts,
    the report and the rules."""

    def __init__(self, *, rules, report: Callable[[Rejection], None], source: str = "csv",
                 progress: Callable[[str, int, int], None] | None = None, batch: int = BATCH) -> None:
        self.rules = rules
        self.report = report
        self.source = source
        self.progress = progress or (lambda entity, rows, position: None)
        self.batch = batch
        self.ids: dict[tuple[str, tuple[str, str]], int] = {}  # (entity, (source, key)) -> id, this batch's
        self.tallies: dict[str, Tally] = {}
        self.state: dict[str, Any] = {}  # the entity modules' memory across batches (P5 …)
        self.fresh: set[str] = set()  # entities whose table was empty when their current file began
        self.parse_process_from = stream.PARSE_PROCESS_FROM  # file size (bytes) from which a 2nd process parses

    def tally(self, entity: str) -> Tally:
        return self.tallies.setdefault(entity, Tally())

    def id_of(self, entity: str, pair: tuple[str, str] | None) -> int | None:
        return None if pair is None else self.ids.get((entity, pair))

    def reject(self, file: str, parsed_or_line, violations: Iterable[Violation], entity: str) -> None:
        line = parsed_or_line.line if isinstance(parsed_or_line, Parsed) else parsed_or_line
        key = parsed_or_line.key if isinstance(parsed_or_line, Parsed) else ""
        for v in violations:
            self.report(Rejection(file, line, ".".join(v.field), v.code, v.rule or "", v.message, key))
        self.tally(entity).rejected += 1


# ---------------------------------------------------------------- parsing


def parse(entity: Entity, module, row: Row, run: Run, keep_cells: bool = True) -> Parsed:
    cells = row.values
    source = (cells.get("external_source") or "").strip() or run.source
    key = (cells.get("external_id") or "").strip()
    parsed = Parsed(line=row.line, source=source, key=key, cells={"external_source": source, "external_id": key},
                    position=row.position, keep_cells=keep_cells)
    if not key:
        parsed.refuse("EXTERNAL_ID_REQUIRED", "Every row needs its external_id.", "external_id")
    elif len(key) > 255 or len(source) > 40:
        parsed.refuse("FIELD_TOO_LONG", "external_id has at most 255 characters, external_source 40.", "external_id")
    for f in entity.fields:
        text = cells.get(f.name, "")
        if f.computed:
            parsed.cells[f.name] = None  # compared as "whatever the rules compute"
            continue
        if text is None:
            text = ""
        try:
            if f.kind == "ref":
                if len(text) > 300:
                    raise BadValue("FIELD_TOO_LONG", f"{f.name} has {len(text)} characters; at most 300.")
                pair = split_reference(text.strip(), source) if text.strip() else None
                if keep_cells:
                    parsed.cells[f.name] = reference_cell(*pair, source) if pair else ""
                if pair:
                    parsed.refs[f.name] = pair
                    parsed.needs.append((f.name, f.ref, pair, f.deferred))
                elif not f.nullable:
                    parsed.refuse("REQUIRED", f"{f.name} names the record this row belongs to.", f.name)
                continue
            value = decode(f, text)
            if f.column is None:
                parsed.extra[f.name] = value
                continue
            if value is None and not f.nullable:
                if f.has_default:
                    parsed.cells[f.name] = None  # the column's default on insert; left as it is on update
                else:
                    parsed.refuse("REQUIRED", f"{f.name} is required.", f.name)
                continue
            parsed.values[f.column] = value
            if keep_cells:
                parsed.cells[f.name] = encode(f, value)
        except BadValue as exc:
            parsed.refuse(exc.code, exc.message, f.name)
    if not parsed.violations:
        module.parse_children(parsed, run)
    return parsed


# ---------------------------------------------------------------- batches


async def _resolve(batch: list[Parsed], entity: Entity, run: Run) -> None:
    """Look up every named record and this batch's own: run.ids for the batch."""
    run.ids = {}
    # A first import into an empty table: the rows' own ids cannot be known yet.
    own = set() if entity.name in run.fresh else {(p.source, p.key) for p in batch}
    wanted: dict[str, set[tuple[str, str]]] = {entity.name: own}
    for p in batch:
        for _, target, pair, _ in p.needs:
            wanted.setdefault(target, set()).add(pair)
    for target, pairs in wanted.items():
        for pair, internal in (await keys.lookup(target, pairs)).items():
            run.ids[(target, pair)] = internal
    for p in batch:
        p.existing = run.ids.get((entity.name, (p.source, p.key)))


def _unresolved(p: Parsed, run: Run) -> list[tuple[str, str, tuple[str, str], bool]]:
    return [n for n in p.needs if (n[1], n[2]) not in run.ids]


async def _write(batch: list[Parsed], entity: Entity, module, run: Run) -> None:
    table = entity.table
    new = [p for p in batch if p.existing is None]
    for p in batch:
        module.finish_values(p, run)
    if new:
        for p, new_id in zip(new, await bulk.insert(table, [p.values for p in new])):
            p.id = new_id
        await keys.remember(entity.name, [(p.source, p.key, p.id) for p in new])
    for p in batch:
        if p.existing is not None:
            p.id = p.existing
            await table.update(p.values).where(table.id == p.id)
    await module.write_children(batch, run)


async def process_batch(batch: list[Parsed], entity: Entity, module, run: Run, file: str,
                        inflight: pipeline.InFlight | None = None) -> list[Parsed]:
    """Check and write one batch in one transaction (its reads too: one connection, and on
    SQLite one write lock, per batch); returns the rows that wait for a deferred reference.
    With `inflight` (PostgreSQL), the batch is read while the previous one is written, and
    its own write is left in flight (partners.transfer.inflight)."""
    if inflight is not None:
        return await _pipelined_batch(batch, entity, module, run, file, inflight)
    async with transaction():
        waiting, todo = await _prepare(batch, entity, module, run, file)
        written = await _write_or_refuse(todo, entity, module, run, file)
    await _written(written, entity, module, run)
    return waiting


async def _pipelined_batch(batch: list[Parsed], entity: Entity, module, run: Run, file: str,
                           inflight: pipeline.InFlight) -> list[Parsed]:
    if any(target == entity.name for p in batch for _, target, _, _ in p.needs):
        await inflight.drain()  # its rows name records of the batch being written
    async with transaction():
        await _resolve(batch, entity, run)  # while the previous batch is written
    await inflight.drain()  # the checks see every earlier batch committed
    async with transaction():
        waiting, todo = await _prepare(batch, entity, module, run, file, resolved=True)
    own = copy.copy(run)  # its own `ids`: the next batch's lookups rebind run.ids

    async def write() -> None:
        async with transaction():
            written = await _write_or_refuse(todo, entity, module, own, file)
        await _written(written, entity, module, own)

    if todo:
        await inflight.start(write())
    return waiting


async def _written(written: list[Parsed], entity: Entity, module, run: Run) -> None:
    tally = run.tally(entity.name)
    for p in written:
        if p.existing is None:
            tally.created += 1
        else:
            tally.updated += 1
    if written:
        await module.after_batch(written, run)


async def _prepare(batch: list[Parsed], entity: Entity, module, run: Run, file: str, resolved: bool = False
                   ) -> tuple[list[Parsed], list[Parsed]]:
    """(rows waiting for a later row, rows to write): references resolved (unless
    `resolved`), rules checked, unchanged records left out; the refused rows are reported."""
    if not resolved:
        await _resolve(batch, entity, run)
    waiting, ready = [], []
    for p in batch:
        missing = _unresolved(p, run)
        if missing and all(deferred for *_, deferred in missing):
            p.extra["_missing"] = missing
            waiting.append(p)
            continue
        for label, target, pair, _ in missing:
            p.refuse("UNKNOWN_REFERENCE", f"{label}: no {target} record {pair[0]}::{pair[1]} (not imported, "
                                          f"or its row was rejected).", label)
        ready.append(p)
    await module.check(ready, run)
    good = []
    for p in ready:
        if p.violations:
            run.reject(file, p, p.violations, entity.name)
        else:
            good.append(p)
    # An unchanged record writes nothing (a second run of the same files changes nothing).
    existing = [p for p in good if p.existing is not None]
    if existing:
        rows = await entity.table.select().where(entity.table.id.is_in([p.existing for p in existing]))
        current = {row["id"]: cells for row, cells in zip(rows, await cells_of(entity, rows))}
        for p in existing:
            now_cells = current.get(p.existing)
            p.extra["_unchanged"] = bool(now_cells) and _same(now_cells, p.cells)
    todo = [p for p in good if not p.extra.get("_unchanged")]
    run.tally(entity.name).unchanged += len(good) - len(todo)
    return waiting, todo


async def _write_or_refuse(todo: list[Parsed], entity: Entity, module, run: Run, file: str) -> list[Parsed]:
    """The rows written: all at once in a savepoint; should the database refuse that (a
    constraint the checks did not foresee), one savepoint per row, so only the refusing row
    is lost and nothing of it remains."""
    if not todo:
        return []
    try:
        async with transaction():
            await _write(todo, entity, module, run)
        return todo
    except Exception as exc:  # noqa: BLE001 - any refusal of the database
        if len(todo) == 1:
            run.reject(file, todo[0], [Violation("REFUSED_BY_DATABASE", _short(exc))], entity.name)
            return []
    written = []
    for p in todo:
        try:
            async with transaction():
                await _write([p], entity, module, run)
            written.append(p)
        except Exception as one:  # noqa: BLE001
            run.reject(file, p, [Violation("REFUSED_BY_DATABASE", _short(one))], entity.name)
    return written


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def _same(now: dict[str, str], wanted: dict[str, str]) -> bool:
    return all(now.get(k) == v for k, v in wanted.items() if v is not None)


async def is_fresh(entity: Entity) -> bool:
    """Nothing of this entity yet (no record, no external id): a first import, where no row
    can be an update."""
    table = entity.table
    return not await table.exists() and not await ExternalId.exists().where(ExternalId.entity == entity.name)


def chunks_of(entity: Entity, module, rows: Callable[[], Iterator[Row | Rejection]], run: Run, size: int,
              keep_cells: bool = True) -> Iterator[list]:
    """The file's items parsed, in chunks; made by a second process for a big file."""
    def make() -> Iterator[list]:
        return stream.parsed_chunks(rows, lambda row: parse(entity, module, row, run, keep_cells), run.batch)

    if size >= run.parse_process_from:
        return stream.in_second_process(make)
    return make()


ANALYZE_FROM = 1000  # records written in a file; again each time the count doubles


async def refresh_statistics(entity: Entity) -> None:
    """PostgreSQL: the statistics of the tables a file fills, while it fills them. Without
    them the planner takes a freshly filled table for a small one and scans it whole for
    each batch's lookups (quadratic in the file's size); autovacuum comes too late for a
    bulk load. SQLite's planner uses the indexes without statistics."""
    if current_engine().engine_type != "postgres":
        return
    tables = (entity.table, *CHILD_TABLES.get(entity.name, ()), ExternalId)
    await ExternalId.raw("ANALYZE " + ", ".join(f'"{t._meta.tablename}"' for t in tables))


async def import_entity(entity: Entity, module, rows: Callable[[], Iterator[Row | Rejection]], run: Run,
                        file: str, size: int = 0) -> None:
    """Every row of one file: a first pass, then passes for rows waiting on a later row."""
    run.tally(entity.name)  # listed even for a file without rows
    if await is_fresh(entity):
        run.fresh.add(entity.name)
    else:
        run.fresh.discard(entity.name)
    inflight = pipeline.InFlight() if pipeline.possible() else None
    try:
        await _passes(entity, module, rows, run, file, size, inflight)
    except BaseException:
        if inflight is not None:
            await inflight.cancel()
        raise
    await module.after_file(run)
    run.fresh.discard(entity.name)


async def _passes(entity: Entity, module, rows: Callable[[], Iterator[Row | Rejection]], run: Run, file: str,
                  size: int, inflight: pipeline.InFlight | None) -> None:
    """The file's first pass, then passes for rows waiting on a later row; every write done when it returns."""
    tally = run.tally(entity.name)
    waiting_rows: dict[int, Parsed] = {}
    first = True
    analyze_at = ANALYZE_FROM
    while True:
        batch: list[Parsed] = []
        wrote_before = tally.created + tally.updated
        waiting_now: dict[int, Parsed] = {}

        batch_keys: set[tuple[str, str]] = set()

        async def flush() -> None:
            nonlocal analyze_at
            if batch:
                for p in await process_batch(batch, entity, module, run, file, inflight):
                    waiting_now[p.line] = p
                batch.clear()
                batch_keys.clear()
                if tally.created + tally.updated >= analyze_at:
                    await refresh_statistics(entity)
                    analyze_at *= 2

        if first:
            for chunk in chunks_of(entity, module, rows, run, size, keep_cells=entity.name not in run.fresh):
                position = 0
                for p in chunk:
                    tally.read += 1
                    if isinstance(p, Rejection):
                        run.report(p)
                        tally.rejected += 1
                        continue
                    position = p.position
                    if p.violations:
                        run.reject(file, p, p.violations, entity.name)
                        continue
                    if any(deferred and target == entity.name and pair in batch_keys
                           for _, target, pair, deferred in p.needs):
                        await flush()  # its parent is in this batch: written first, so the file's order holds
                    batch.append(p)
                    batch_keys.add((p.source, p.key))
                    if len(batch) >= run.batch:
                        await flush()
                run.progress(entity.name, len(chunk), position)
            await flush()
            first = False
        else:
            for p in waiting_rows.values():
                p.violations.clear()
                batch.append(p)
                if len(batch) >= run.batch:
                    await flush()
            await flush()
        if inflight is not None:
            await inflight.drain()
        progressed = tally.created + tally.updated > wrote_before
        waiting_rows = waiting_now
        if not waiting_rows or not progressed:
            break
    for p in waiting_rows.values():
        for label, target, pair, _ in p.extra.get("_missing", ()):
            p.refuse("UNKNOWN_REFERENCE", f"{label}: no {target} record {pair[0]}::{pair[1]} in the database or "
                                          f"in this file (or its row was rejected).", label)
        run.reject(file, p, p.violations, entity.name)
