"""pytest fixtures for cosell and for plugin authors.

Use with `pytest_plugins = ["server.testing"]`. The database is fresh per test session:
a temporary SQLite file, or, when DATABASE_URL names a PostgreSQL server, a new
database created on that server and dropped afterwards (your own data is never
touched). Every test starts from empty tables.

Fixtures:
- `cosell_settings`: Settings for the test database (metrics exposed).
- `cosell_app_factory`: `async with cosell_app_factory(extra_plugins=[...], **settings) as client:`
  an app with its lifespan running and an httpx client for it.
- `cosell_client`: the default app's client.
- `gql`: `await gql(query, variables, token=...)` → the JSON body (fails on errors unless
  `errors=True`).
- `world`: two authorized partners and a user of every role, with tokens.
- `cosell_live_server`: a real uvicorn process on the test database (its base URL).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Iterable
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import pytest_asyncio
from piccolo.table import sort_table_classes

from partners.db import bind_engine, engine_for, is_postgres_url
from partners.enums import PartnerStatus, PartnerTrack, PartnerType, Region, Role
from partners.identity import create_user, issue_token, now
from partners.migrate import apply_migrations
from partners.piccolo_app import APP_CONFIG
from partners.tables import Partner
from server.settings import PROJECT_ROOT, Settings


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def cosell_database_url(tmp_path_factory) -> Iterable[str]:
    """A fresh, migrated database for this test session."""
    base = os.environ.get("DATABASE_URL", "")
    if is_postgres_url(base):
        name = f"cosell_test_{uuid.uuid4().hex[:10]}"
        asyncio.run(_pg_admin(base, f'CREATE DATABASE "{name}"'))
        url = _with_database(base, name)
    else:
        name = None
        url = f"sqlite:///{tmp_path_factory.mktemp('cosell-db') / 'test.sqlite3'}"
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url  # the CLI and Piccolo's own config see it too
    bind_engine(engine_for(url))
    asyncio.run(apply_migrations())
    try:
        yield url
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous
        if name:
            asyncio.run(_pg_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def truncate_all(url: str) -> None:
    tables = sort_table_classes(list(APP_CONFIG.table_classes))
    engine = engine_for(url)
    if is_postgres_url(url):
        names = ", ".join(f'"{t._meta.tablename}"' for t in tables)
        await engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    else:
        import aiosqlite

        # ON DELETE RESTRICT (account hierarchies) would refuse a plain DELETE of a tree.
        async with aiosqlite.connect(engine.path) as conn:
            await conn.execute("PRAGMA foreign_keys = OFF")
            for table in reversed(tables):
                await conn.execute(f'DELETE FROM "{table._meta.tablename}"')
            await conn.commit()


@pytest.fixture
def cosell_settings(cosell_database_url) -> Settings:
    # Background jobs off: tests drive them explicitly (`app.state.background.run_once()`)
    # or switch them on with `cosell_app_factory(background_jobs=True)`.
    # The token cache is off, so `sqlStatements` counts the token lookup in every request;
    # tests of the cache turn it on with `cosell_app_factory(auth_cache_seconds=…)`.
    return Settings.from_env(
        database_url=cosell_database_url, expose_metrics=True, log_json=False, background_jobs=False,
        auth_cache_seconds=0.0,
    )


@pytest_asyncio.fixture
async def cosell_app_factory(cosell_settings, cosell_database_url):
    """Build an app (optionally with extra plugins or other settings) and serve it in-process."""
    from plugins.manager import get_plugin_manager
    from server.app import create_app

    await truncate_all(cosell_database_url)

    @asynccontextmanager
    async def factory(extra_plugins: Iterable[tuple[str, Any]] = (), **overrides) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings.from_env(**{**cosell_settings.__dict__, **overrides})
        pm = get_plugin_manager(
            allow=settings.plugins_allow, deny=settings.plugins_deny, extra_plugins=extra_plugins,
            trace_hooks=settings.trace_hooks,
        )
        app = create_app(settings, plugin_manager=pm)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://cosell.test") as client:
                client.app = app  # type: ignore[attr-defined]
                yield client

    return factory


@pytest_asyncio.fixture
async def cosell_client(cosell_app_factory) -> AsyncIterator[httpx.AsyncClient]:
    async with cosell_app_factory() as client:
        yield client


class GraphQLClient:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(
        self, query: str, variables: dict | None = None, *, token: str | None = None, errors: bool = False
    ) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        if not errors:
            assert "errors" not in body, body["errors"]
        return body


@pytest.fixture
def gql(cosell_client) -> GraphQLClient:
    return GraphQLClient(cosell_client)


@dataclass
class World:
    """Tokens and ids of a small world: `tokens["admin"]`, `partners["alpha"]` …"""

    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    partners: dict[str, int] = field(default_factory=dict)


async def make_partner(name: str, **fields: Any) -> int:
    values = dict(
        name=name, nickname=name[:3].upper(), partner_type=PartnerType.RESELLER.value,
        track=PartnerTrack.OPEN.value, status=PartnerStatus.AUTHORIZED.value, agreement_signed_at=now(),
        trained_employees=3, region=Region.AMER.value, country="US", created_at=now(),
    )
    values.update({k: (v.value if hasattr(v, "value") else v) for k, v in fields.items()})
    partner = Partner(**values)
    await partner.save()
    return partner.id


async def make_user(world: World, key: str, role: Role, **kwargs: Any) -> str:
    user = await create_user(email=f"{key}@cosell.test", name=key.replace("_", " ").title(), role=role, **kwargs)
    _, token = await issue_token(user.id, name="test")
    world.tokens[key] = token
    world.user_ids[key] = user.id
    return token


@pytest_asyncio.fixture
async def world(cosell_client) -> World:
    w = World()
    w.partners["alpha"] = await make_partner("Alpha Resellers", nickname="ALPHA")
    w.partners["beta"] = await make_partner("Beta Distribution", nickname="BETA",
                                            partner_type=PartnerType.DISTRIBUTOR, region=Region.EMEA, country="DE")
    await make_user(w, "admin", Role.ADMIN)
    await make_user(w, "sales_ops", Role.SALES_OPS)
    await make_user(w, "cm_amer", Role.CHANNEL_MANAGER, regions=[Region.AMER])
    await make_user(w, "cm_emea", Role.CHANNEL_MANAGER, regions=[Region.EMEA])
    await make_user(w, "ae", Role.ACCOUNT_EXECUTIVE, regions=[Region.AMER])
    await make_user(w, "sdr", Role.SDR, regions=[Region.AMER])
    await make_user(w, "alpha_user", Role.PARTNER_USER, partner_id=w.partners["alpha"])
    await make_user(w, "beta_user", Role.PARTNER_USER, partner_id=w.partners["beta"])
    return w


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cosell_live_server(cosell_database_url):
    """A real uvicorn server (its own process) on the test database; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": cosell_database_url, "COSELL_BACKGROUND_JOBS": "0", "COSELL_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--port", str(port), "--log-level", "warning"],
        cwd=PROJECT_ROOT, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "the server exited during startup"
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
