"""The import's bulk writes (partners.transfer.bulk; binary COPY on PostgreSQL, issue 35
item 2) and external-id lookups (partners.transfer.keys), on both engines: ids in the
rows' order, defaults filled, a refused write undone by its savepoint only."""

from __future__ import annotations

import pytest

from partners.infra.db import transaction
from partners.transfer import bulk, keys
from partners.transfer.tables import ExternalId


async def test_inserted_rows_get_their_ids_in_order_and_are_found_by_key(world):
    async with transaction():
        ids = await bulk.insert(ExternalId, [{"entity": "t_bulk", "source": "csv", "key": f"k{i}", "internal_id": i}
                                             for i in range(7)])
        assert ids == sorted(ids) and len(set(ids)) == 7
        found = await keys.lookup("t_bulk", [("csv", "k3"), ("csv", "k6"), ("csv", "nope"), ("sf", "k1")])
    assert found == {("csv", "k3"): 3, ("csv", "k6"): 6}
    rows = await ExternalId.select().where(ExternalId.id.is_in(ids)).order_by(ExternalId.id)
    assert [(r["key"], r["internal_id"]) for r in rows] == [(f"k{i}", i) for i in range(7)]
    assert all(r["imported_at"] is not None for r in rows)  # the column's default
    assert await keys.lookup("t_bulk", [("csv", "k0")]) == {("csv", "k0"): 0}  # outside a transaction too


async def test_a_refused_bulk_write_is_undone_by_its_savepoint_only(world):
    async with transaction():
        await bulk.insert(ExternalId, [{"entity": "t_bulk", "source": "csv", "key": "a", "internal_id": 1}],
                          returning=False)
        with pytest.raises(Exception):
            async with transaction():
                await bulk.insert(ExternalId, [{"entity": "t_bulk", "source": "csv", "key": "b", "internal_id": 2},
                                               {"entity": "t_bulk", "source": "csv", "key": "a", "internal_id": 3}],
                                  returning=False)  # (entity, source, key) is unique
        await bulk.insert(ExternalId, [{"entity": "t_bulk", "source": "csv", "key": "c", "internal_id": 4}])
    rows = await ExternalId.select(ExternalId.key).where(ExternalId.entity == "t_bulk").order_by(ExternalId.key)
    assert [r["key"] for r in rows] == ["a", "c"]
