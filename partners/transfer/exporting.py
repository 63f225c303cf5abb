"""`cosell export`: an entity's records as native rows, streamed page by page (by id), to
CSV or Parquet. References are external ids (a record made in cosell is `cosell`'s own id),
amounts exact decimal strings beside their currency column."""

from __future__ import annotations

from datetime import datetime
from typing import Any, AsyncIterator, Callable

from partners.transfer import keys
from partners.transfer.children import CHILDREN
from partners.transfer.formats import Entity, encode, reference_cell

PAGE = 1000


async def cells_of(entity: Entity, rows: list[dict]) -> list[dict[str, str]]:
    """The native rows (header name -> cell) of these table rows."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    own = await keys.keys_of(entity.name, ids)
    sources = {i: own[i][0] for i in ids}
    ref_keys: dict[str, dict[int, tuple[str, str]]] = {}
    for f in entity.fields:
        if f.kind == "ref":
            ref_keys.setdefault(f.ref, {})
            wanted = [r[f.column] for r in rows if r[f.column] is not None]
            ref_keys[f.ref].update(await keys.keys_of(f.ref, set(wanted) - set(ref_keys[f.ref])) if wanted else {})
    children = {}
    if entity.name in CHILDREN:
        children = await CHILDREN[entity.name][0](ids, sources)
    out = []
    for r in rows:
        source, key = own[r["id"]]
        cells = {"external_source": source, "external_id": key}
        for f in entity.fields:
            if f.kind == "ref":
                value = r[f.column]
                cells[f.name] = "" if value is None else reference_cell(*ref_keys[f.ref][value], source)
            elif f.column is not None:
                cells[f.name] = encode(f, r[f.column])
            else:
                cells[f.name] = encode(f, children[r["id"]][f.name])
        out.append(cells)
    return out


async def pages(entity: Entity, since: datetime | None = None, page: int = PAGE) -> AsyncIterator[list[dict[str, str]]]:
    """The entity's native rows, `page` at a time, oldest record first."""
    table = entity.table
    last = 0
    while True:
        query = table.select().where(table.id > last).order_by(table.id).limit(page)
        if since is not None:
            query = query.where(getattr(table, entity.since_column) >= since)
        rows = await query
        if not rows:
            return
        yield await cells_of(entity, rows)
        last = rows[-1]["id"]


# ---------------------------------------------------------------- writers


class CsvSink:
    def __init__(self, stream, entity: Entity) -> None:
        import csv

        self.writer = csv.writer(stream, lineterminator="\n")
        self.header = entity.header
        self.writer.writerow(self.header)

    def write(self, rows: list[dict[str, str]]) -> None:
        self.writer.writerows([r[h] for h in self.header] for r in rows)

    def close(self) -> None:
        pass


def _arrow_type(kind: str):
    import pyarrow as pa

    return {"int": pa.int64(), "bool": pa.bool_(), "float": pa.float64(), "date": pa.date32(),
            "datetime": pa.timestamp("us", tz="UTC")}.get(kind, pa.string())


class ParquetSink:
    """Typed columns where the type is exact (integers, booleans, dates, UTC timestamps);
    amounts stay exact decimal strings (their scale varies by currency), references,
    lists and JSON documents strings as in the CSV."""

    def __init__(self, stream, entity: Entity) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:  # pragma: no cover - the error names the extra to install
            raise SystemExit("cosell: --format parquet needs pyarrow: pip install 'cosell[parquet]'") from None
        from partners.transfer.formats import decode

        self.pa = pa
        self.decode = decode
        self.entity = entity
        fields = [pa.field("external_source", pa.string()), pa.field("external_id", pa.string())]
        self.kinds = {"external_source": "text", "external_id": "text"}
        for f in entity.fields:
            kind = f.kind if f.kind in ("int", "bool", "float", "date", "datetime") else "text"
            self.kinds[f.name] = kind
            fields.append(pa.field(f.name, _arrow_type(kind)))
        self.schema = pa.schema(fields)
        self.writer = pq.ParquetWriter(pa.PythonFile(stream, mode="w"), self.schema)

    def _value(self, name: str, cell: str) -> Any:
        kind = self.kinds[name]
        if kind == "text":
            return cell
        return self.decode(self.entity.field(name), cell)

    def write(self, rows: list[dict[str, str]]) -> None:
        if rows:
            columns = {name: [self._value(name, r[name]) for r in rows] for name in self.schema.names}
            self.writer.write_table(self.pa.Table.from_pydict(columns, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


SINKS: dict[str, Callable[[Any, Entity], Any]] = {"csv": CsvSink, "parquet": ParquetSink}


async def export(entity: Entity, stream, fmt: str = "csv", since: datetime | None = None,
                 progress: Callable[[int], None] | None = None) -> int:
    """Write the entity to `stream` (text for csv, binary for parquet); the number of rows."""
    sink = SINKS[fmt](stream, entity)
    count = 0
    async for rows in pages(entity, since):
        sink.write(rows)
        count += len(rows)
        if progress:
            progress(len(rows))
    sink.close()
    return count
