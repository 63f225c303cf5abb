"""Issue 38 item 2: `totalCount` of an unfiltered, unscoped list (staff on opportunities,
accounts, dealRegistrations) is read from the maintained row counts
(partners/infra/row_counts.py, migration 2026-12-07T21:30), and stays exact: inserts one by
one and in bulk, deletes, transactions not yet committed or rolled back, concurrent
writers and folds, the test harness's reset (TRUNCATE on PostgreSQL, DELETE on SQLite)."""

import asyncio
import sqlite3
from urllib.parse import urlsplit

from partners.accounts.tables import Account
from partners.infra import row_counts
from partners.infra.db import current_engine
from partners.infra.engines import is_postgres_url
from partners.opportunities.tables import Opportunity
from partners.registrations.tables import DealRegistration
from server.testing import truncate_all
from tests.schema.registrations import register
from tests.schema.sales import create_account, create_opportunity
from tests.transfer.test_salesforce_import import import_salesforce

OPPORTUNITIES = "query($filter: OpportunityFilter) { opportunities(first: 1, filter: $filter) { totalCount nodes { id } } }"
ACCOUNTS = "{ accounts(first: 1) { totalCount } }"
REGISTRATIONS = "{ dealRegistrations(first: 1) { totalCount } }"
COPY_COLUMNS = [c._meta.db_column_name for c in Opportunity._meta.columns if c._meta.name != "id"]
# n copies of the opportunity with the highest id, in ONE statement (a bulk insert).
COPY = (f"INSERT INTO opportunity ({', '.join(COPY_COLUMNS)}) SELECT {', '.join(COPY_COLUMNS)} "
        "FROM opportunity, (SELECT 1 FROM opportunity LIMIT {n}) AS times "
        "WHERE opportunity.id = (SELECT MAX(id) FROM opportunity)")


async def _total(gql, world, query=OPPORTUNITIES, token="ae", **variables) -> int:
    body = await gql(query, variables, token=world.tokens[token])
    assert "errors" not in body, body
    return next(iter(body["data"].values()))["totalCount"]


async def _real() -> int:
    return await Opportunity.count()  # a plain COUNT(*), not the maintained count


async def _delta_rows(name="opportunity") -> int:
    rows = await current_engine().run_ddl(f"SELECT COUNT(*) AS n FROM table_row_count WHERE table_name = '{name}'")
    return rows[0]["n"]


async def _shift(n: int) -> None:
    """The maintained count of opportunities made wrong by n (a delta row on PostgreSQL)."""
    engine = current_engine()
    await engine.run_ddl(f"INSERT INTO table_row_count (table_name, n) VALUES ('opportunity', {n})"
                         if engine.engine_type == "postgres" else
                         f"UPDATE table_row_count SET n = n + {n} WHERE table_name = 'opportunity'")


async def _opportunities(gql, world, count: int) -> None:
    account = await create_account(gql, world)
    for i in range(count):
        await create_opportunity(gql, world, account, name=f"Acme, Inc- {i + 1} Premium")


async def _copies(n: int) -> None:
    """Bulk inserts (each a statement of up to 2n rows, doubling)."""
    await current_engine().run_ddl(COPY.replace("{n}", str(n)))


def test_only_a_count_of_every_row_of_a_tracked_table_is_maintained():
    assert isinstance(row_counts.exact_count(Opportunity.count()), row_counts.MaintainedCount)
    for query in (Opportunity.count().where(Opportunity.stage == "1"), Opportunity.count(Opportunity.owner),
                  Opportunity.count(distinct=[Opportunity.owner])):
        assert row_counts.exact_count(query) is query


async def test_staff_read_the_maintained_count_and_filtered_or_scoped_lists_do_not(gql, world):
    await _opportunities(gql, world, 3)
    assert await _total(gql, world) == await _real() == 3
    # Proof of which count is read: the maintained one made wrong on purpose.
    await _shift(1000)
    try:
        assert await _total(gql, world) == 1003
        assert await _total(gql, world, filter={"isOpen": True}) == 3
        assert await _total(gql, world, token="alpha_user") == 0  # scoped (R9): counted
    finally:
        await _shift(-1000)
    assert await _total(gql, world) == 3


async def test_the_count_follows_inserts_bulk_inserts_and_deletes(gql, world):
    assert await _total(gql, world) == 0
    await _opportunities(gql, world, 2)
    await _copies(1)
    await _copies(3)  # a statement of 3 rows
    assert await _total(gql, world) == await _real() == 6
    await Opportunity.delete().where(Opportunity.id > (await Opportunity.select(Opportunity.id).first())["id"])
    assert await _total(gql, world) == await _real() == 1
    assert await _total(gql, world, ACCOUNTS, token="sales_ops") == await Account.count() == 1


async def test_registrations_are_counted(gql, world):
    for i in range(2):
        await register(gql, world, customer={"prospect": {"name": f"Customer {i}"}})
    assert await _total(gql, world, REGISTRATIONS, token="sales_ops") == 2


async def test_uncommitted_and_rolled_back_writes_are_not_counted(gql, world, cosell_database_url):
    """MVCC: the count is read in the page's statement, so in its snapshot."""
    await _opportunities(gql, world, 2)
    sql = COPY.replace("{n}", "2")
    if is_postgres_url(cosell_database_url):
        import asyncpg

        conn = await asyncpg.connect(cosell_database_url)
        try:
            for end in ("ROLLBACK", "COMMIT"):
                await conn.execute("BEGIN")
                await conn.execute(sql)
                assert await _total(gql, world) == 2, "not committed yet"
                await conn.execute(end)
        finally:
            await conn.close()
    else:
        conn = sqlite3.connect(urlsplit(cosell_database_url).path, isolation_level=None)
        try:
            for end in ("ROLLBACK", "COMMIT"):
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(sql)
                # A request writes (its cost budget) and would wait for this writer: the
                # maintained count is read as the page reads it, on the app's connection.
                assert await row_counts.exact_count(Opportunity.count()).run() == 2, "not committed yet"
                conn.execute(end)
        finally:
            conn.close()
    assert await _total(gql, world) == await _real() == 4


async def test_concurrent_writers_and_folds_keep_the_count_exact(gql, world, cosell_client):
    await _opportunities(gql, world, 1)

    async def writer(n: int) -> None:
        for _ in range(n):
            await _copies(1)
            await Opportunity.delete().where(Opportunity.id == (await Opportunity.select(
                Opportunity.id).order_by(Opportunity.id, ascending=False).first())["id"])
            await _copies(2)

    jobs = cosell_client.app.state.background
    await asyncio.gather(*(writer(5) for _ in range(4)), *(row_counts.fold(batch=3) for _ in range(3)))
    assert await _total(gql, world) == await _real()
    await _copies(1)
    await _copies(1)  # two delta rows at least, whatever the folds above did
    if current_engine().engine_type == "postgres":
        assert await _delta_rows() > 1
        assert (await jobs.run_once())["row-counts"] > 1
        assert await _delta_rows() == 1, "folded into one row"
    else:
        assert await _delta_rows() == 1  # SQLite: one row per table, updated in place
    assert await _total(gql, world) == await _real() > 1


async def test_the_reset_between_tests_empties_the_counts(gql, world, cosell_database_url):
    await _opportunities(gql, world, 2)
    await truncate_all(cosell_database_url)
    count = row_counts.exact_count(Opportunity.count())
    assert isinstance(count, row_counts.MaintainedCount) and await count.run() == await _real() == 0


async def test_an_import_and_its_dry_run_keep_the_counts(world, tmp_path):
    await import_salesforce(tmp_path, "dry", dry_run=True)
    await import_salesforce(tmp_path, "first")
    await import_salesforce(tmp_path, "again")  # updates only
    for table in (Account, Opportunity, DealRegistration):
        assert await row_counts.exact_count(table.count()).run() == await table.count() > 0, table
