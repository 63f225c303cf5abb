"""bench.generate loads with the triggers off (COPY under `session_replication_role =
replica` on PostgreSQL, triggers dropped on SQLite): the maintained row counts of
partners/infra/row_counts.py (issue 38 item 2) must still be the tables' counts after it."""

from __future__ import annotations

from bench.generate import generate
from partners.infra import row_counts
from partners.infra.db import current_engine


async def test_the_generated_world_has_exact_maintained_counts(cosell_client, cosell_database_url):
    engine = current_engine()
    await generate(cosell_database_url, scale=0.002)
    for name in sorted(row_counts.TRACKED):
        real = (await engine.run_ddl(f"SELECT COUNT(*) AS n FROM {name}"))[0]["n"]
        kept = (await engine.run_ddl(
            f"SELECT COALESCE(SUM(n), 0) AS n FROM table_row_count WHERE table_name = '{name}'"))[0]["n"]
        assert real > 0 and kept == real, name
