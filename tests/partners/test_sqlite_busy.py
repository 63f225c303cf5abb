"""SQLite busy: a write blocked by another writer is retried a bounded number of times,
then fails with a clear DATABASE_BUSY error (not a masked 500)."""

import asyncio
import sqlite3

import pytest

from partners.infra.engines import is_postgres_url, sqlite_path
from partners.infra.tables import CostBudget
from partners.people.tables import ApiToken

CREATE = 'mutation { createApiToken(input: {name: "busy"}) { token errors { code } } }'


async def test_a_locked_database_gives_a_clear_retryable_error(cosell_app_factory, cosell_database_url, world):
    if is_postgres_url(cosell_database_url):
        pytest.skip("SQLite only")
    headers = {"Authorization": f"Bearer {world.tokens['ae']}"}
    async with cosell_app_factory(sqlite_busy_timeout=0.05, sqlite_busy_retries=2) as client:
        before = await ApiToken.count()
        blocker = sqlite3.connect(sqlite_path(cosell_database_url), isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
        try:
            response = await client.post("/graphql", json={"query": CREATE}, headers=headers)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "DATABASE_BUSY", "retryAfter": 1,
                                       "requestId": response.headers["x-request-id"]}
        assert "busy" in error["message"]
        assert await ApiToken.count() == before
        retried = await client.post("/graphql", json={"query": CREATE}, headers=headers)
        assert retried.json()["data"]["createApiToken"]["token"].startswith("cst_")


async def test_concurrent_requests_of_one_process_queue_their_writes_instead_of_failing(
        cosell_app_factory, cosell_database_url, world):
    """Every request spends from its cost budget (an upsert): within a process those
    writes take turns, so two dozen at once all succeed even with no busy timeout at
    all, and each spends exactly once."""
    if is_postgres_url(cosell_database_url):
        pytest.skip("SQLite only")
    headers = {"Authorization": f"Bearer {world.tokens['ae']}"}
    async with cosell_app_factory(sqlite_busy_timeout=0, sqlite_busy_retries=0) as client:
        responses = await asyncio.gather(*(
            client.post("/graphql", json={"query": "{ viewer { id } }"}, headers=headers) for _ in range(24)))
    assert [r.status_code for r in responses] == [200] * 24
    assert all("errors" not in r.json() for r in responses), [r.json() for r in responses if "errors" in r.json()][:1]
    spent = sum(r.json()["extensions"]["cost"]["actual"] for r in responses)
    assert (await CostBudget.select(CostBudget.used).first())["used"] == spent
