"""The demo world for tests that read it: loaded once per test process and SQLite database,
then restored for the next test (docs/development.md, "Test suite speed").

`load_demo` costs ~0.8 s of CPU; the tests that only read the demo world (or write on top
of it) get the same database, page for page, from a copy in memory taken right after the
first load (sqlite3's backup API), and the same logins. Each test still starts from the
emptied tables its `gql` fixture gives it, so isolation is unchanged. On PostgreSQL the world
is loaded for each test, as before.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from partners.demo import load_demo
from partners.infra.db import current_engine
from partners.infra.engines import CosellSQLiteEngine

# (database path, day) -> (its copy, the logins). The demo's dates follow today's: a copy
# serves the day it was taken only.
_snapshots: dict[tuple[str, object], tuple[sqlite3.Connection, list]] = {}


async def demo_world() -> list:
    """`load_demo()` into the emptied tables of the current test's database, or its copy."""
    engine = current_engine()
    if not isinstance(engine, CosellSQLiteEngine):
        return await load_demo()
    path = engine.connection_kwargs["database"]
    key = (path, datetime.now(timezone.utc).date())
    if key in _snapshots:
        copy, logins = _snapshots[key]
        with sqlite3.connect(path) as target:
            copy.backup(target)
        target.close()
        return list(logins)
    logins = await load_demo()
    copy = sqlite3.connect(":memory:")
    with sqlite3.connect(path) as source:
        source.backup(copy)
    source.close()
    _snapshots[key] = (copy, list(logins))
    return logins
