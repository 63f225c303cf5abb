"""Maintained, exact row counts of a few large tables (issue 38 item 2).

`totalCount` of a list that is neither filtered nor scoped (staff on `opportunities`,
`accounts`, `dealRegistrations`) is the number of rows of its table. Counting them is
O(rows) even as an index-only scan (~3.4 ms of PostgreSQL's CPU for 100,000
opportunities, twice that when the visibility map is not set). Here the count is kept by
the database itself, by triggers on each tracked table (migration 2026-12-07T21:30), in
`table_row_count`, and read in O(1):

- **PostgreSQL**: every INSERT or DELETE statement on a tracked table appends one row
  `(table, ±rows affected)` (statement triggers with transition tables: a bulk insert is
  one row, and no row is updated in place, so concurrent writers never wait on a shared
  counter); TRUNCATE deletes the table's rows. The count is the SUM of the table's rows,
  read in the statement that reads the page (the page's scalar subquery,
  schema/core/connection.py): same snapshot, so exact under MVCC — a writer's delta
  commits or rolls back with its rows. `fold()` (a background job) replaces a table's rows
  by their sum in one statement, in bounded batches, so the sum stays a few rows.
- **SQLite**: writers are serialized, so row triggers update one row per table in place.

Whatever writes with triggers disabled (bench.generate's COPY under
`session_replication_role = replica`, bench.locator's load) must call `recount_sql()` in
the same transaction afterwards.
"""

from __future__ import annotations

from typing import Callable

from piccolo.query.methods.count import Count
from piccolo.querystring import QueryString

from partners.infra.db import current_engine

TABLE = "table_row_count"
# The tables whose triggers migration 2026-12-07T21:30 installed (a migration never
# changes: a table added here needs a migration of its own).
TRACKED = frozenset({"account", "opportunity", "deal_registration"})
FOLD_BATCH = 5_000  # delta rows folded per statement
FOLD_BATCHES = 10  # at most, per table and run


class MaintainedCount(Count):
    """`Table.count()` read from `table_row_count`: runs and prepares like a Count."""

    __slots__ = ()

    @property
    def default_querystrings(self):
        name = self.table._meta.tablename
        return [QueryString(f'SELECT CAST(COALESCE(SUM("n"), 0) AS BIGINT) AS "count" FROM "{TABLE}" '
                            f"WHERE \"table_name\" = '{name}'")]


def exact_count(query):
    """`query` (a Piccolo count), or the same count read from the maintained counts when
    it counts every row of a tracked table (no condition: unfiltered, unscoped)."""
    if type(query) is not Count or query.column is not None or query._distinct \
            or query.where_delegate._where is not None or query.table._meta.tablename not in TRACKED:
        return query
    return MaintainedCount(query.table)


def recount_sql(name: str) -> list[str]:
    """The statements that set `name`'s maintained count from the table itself (after a
    bulk load with triggers off; run them in the load's transaction, on either engine)."""
    if name not in TRACKED:
        raise ValueError(f"{name} has no maintained count")
    return [f"DELETE FROM \"{TABLE}\" WHERE \"table_name\" = '{name}'",
            f"INSERT INTO \"{TABLE}\" (\"table_name\", \"n\") SELECT '{name}', COUNT(*) FROM \"{name}\""]


def _fold_sql(name: str, batch: int) -> str:
    # One statement: the rows deleted are exactly the rows summed (RETURNING), whatever
    # writers or other folds do meanwhile; a fold that loses a race to another simply
    # finds fewer rows. The sum is written back only when not zero.
    return (f"WITH gone AS (DELETE FROM \"{TABLE}\" WHERE ctid = ANY(ARRAY("
            f"SELECT ctid FROM \"{TABLE}\" WHERE \"table_name\" = '{name}' LIMIT {int(batch)})) RETURNING \"n\"), "
            f"kept AS (INSERT INTO \"{TABLE}\" (\"table_name\", \"n\") "
            f"SELECT '{name}', SUM(\"n\") FROM gone HAVING SUM(\"n\") <> 0) "
            f"SELECT COUNT(*) AS folded FROM gone")


async def fold(should_stop: Callable[[], bool] = lambda: False, *, batch: int = FOLD_BATCH) -> int:
    """PostgreSQL: each tracked table's delta rows replaced by their sum, `batch` rows per
    statement and at most FOLD_BATCHES statements per table (the rest next run). Returns
    the rows folded. SQLite keeps one row per table: nothing to fold."""
    engine = current_engine()
    if engine.engine_type != "postgres":
        return 0
    folded = 0
    # One statement per run when there is nothing to fold (the idle cost of the job).
    rows = await engine.run_ddl(f"SELECT \"table_name\" FROM \"{TABLE}\" GROUP BY \"table_name\" "
                                f"HAVING COUNT(*) > 1")
    for name in sorted(TRACKED & {row["table_name"] for row in rows}):
        for _ in range(FOLD_BATCHES):
            if should_stop():
                return folded
            done = (await engine.run_ddl(_fold_sql(name, batch)))[0]["folded"]
            folded += done
            if done < batch:
                break
    return folded
