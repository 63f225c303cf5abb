"""SQLite busy: a write blocked by another writer is retried a bounded number of times,
then fails with a clear DATABASE_BUSY error (not a masked 500)."""

import sqlite3

import pytest

from partners.db import is_postgres_url, sqlite_path
from partners.tables import ApiToken

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
