"""External ids (issue 35): which cosell record a (source, key) is, and back."""

from __future__ import annotations

from typing import Iterable

from partners.infra.clock import now
from partners.infra.db import record_statement
from partners.transfer import bulk
from partners.transfer.tables import ExternalId

CHUNK = 500  # values per IN (...): under SQLite's parameter limit, whatever its build
NATIVE_SOURCE = "cosell"  # a record made in cosell, exported under its own id
_LOOKUP = ('SELECT "key", "internal_id" FROM "external_id" '
           'WHERE "entity" = $1 AND "source" = $2 AND "key" = ANY($3::varchar[])')


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


async def lookup(entity: str, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The internal ids of these (source, key) pairs that are known."""
    by_source: dict[str, set[str]] = {}
    for source, key in pairs:
        by_source.setdefault(source, set()).add(key)
    found: dict[tuple[str, str], int] = {}
    connection = bulk.driver_connection()
    # Per source: (entity, source, key IN …) follows the unique index's columns, so the
    # database finds each key in it rather than scanning the entity's ids.
    for source, wanted in by_source.items():
        if connection is not None:
            # PostgreSQL, in a transaction: one statement of three parameters (prepared once
            # per connection) instead of a new `IN (…)` statement per list length.
            record_statement()
            for r in await connection.fetch(_LOOKUP, entity, source, list(wanted)):
                found[(source, r[0])] = r[1]
            continue
        for chunk in _chunks(sorted(wanted)):
            rows = await ExternalId.select(ExternalId.key, ExternalId.internal_id).where(
                (ExternalId.entity == entity) & (ExternalId.source == source) & ExternalId.key.is_in(chunk))
            for r in rows:
                found[(source, r["key"])] = r["internal_id"]
    return found


async def keys_of(entity: str, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """The (source, key) of each record; one made in cosell is (`cosell`, its id)."""
    ids = sorted(set(ids))
    out = {i: (NATIVE_SOURCE, str(i)) for i in ids}
    for chunk in _chunks(ids):
        rows = await ExternalId.select(ExternalId.source, ExternalId.key, ExternalId.internal_id).where(
            (ExternalId.entity == entity) & ExternalId.internal_id.is_in(chunk)).order_by(ExternalId.id)
        for r in reversed(rows):  # the first key a record was imported under is its external id
            out[r["internal_id"]] = (r["source"], r["key"])
    return out


async def remember(entity: str, items: list[tuple[str, str, int]]) -> None:
    """Store (source, key) -> internal id for records created by this batch (one statement)."""
    if items:
        at = now()
        await bulk.insert(ExternalId, [{"entity": entity, "source": s, "key": k, "internal_id": i, "imported_at": at}
                                       for s, k, i in items], returning=False)
