"""SQL helpers for the hot read paths (issue 17).

`any_of(column, keys)`: "column is one of keys" as ONE parameter — `= ANY($1)` with an
array on PostgreSQL, `IN (SELECT value FROM json_each(?))` on SQLite — instead of one
parameter per key. The statement's text then no longer depends on how many keys a batch
has, so each DataLoader's statement is prepared once per (loader, scope shape) and then
found in asyncpg's (and sqlite3's) statement cache, instead of a new prepare round trip
and query plan for every batch size. The scope conditions around it still come from
the domains' scoping.py modules, unchanged."""

from __future__ import annotations

import json
from typing import Iterable

from piccolo.columns.combination import WhereRaw

from partners.infra.db import current_engine
from partners.infra.prepared import Param, any_of_param


def any_of(column, keys: Iterable | Param) -> WhereRaw:
    """`keys` may be a Param of a PreparedQuery (partners/infra/prepared.py): the keys
    are then given per run, encoded as below."""
    name = column._meta.get_full_name(with_alias=False)
    engine_type = current_engine().engine_type
    if isinstance(keys, Param):
        values = any_of_param(keys, engine_type)
        return WhereRaw(f"{name} = ANY({{}})" if engine_type == "postgres" else
                        f"{name} IN (SELECT value FROM json_each({{}}))", values)
    values = sorted(set(keys))
    if engine_type == "postgres":
        return WhereRaw(f"{name} = ANY({{}})", values)
    return WhereRaw(f"{name} IN (SELECT value FROM json_each({{}}))", json.dumps(values))
