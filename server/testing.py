"""pytest fixtures for cosell and for plugin authors: a pytest plugin.

Installing cosell with its test extra (`pip install 'cosell[test]'`, or `-e '.[test]'` in
a checkout) registers this module as the pytest plugin `cosell` (entry point group
`pytest11`), so every test suite of that environment has these fixtures without any
conftest.py; `-p no:cosell` switches them off. They depend on nothing but the installed
package (no path of the source tree), so a plugin package's tests run from its own
directory.

The database is fresh per test session: a temporary SQLite file, or, when DATABASE_URL
names a PostgreSQL server, a new database created on that server and dropped afterwards
(your own data is never touched). Every test starts from empty tables. Files the app
writes (emails under `mail/` …) go to a temporary directory. Under pytest-xdist (`-n 2`)
each worker has a session of its own, so its own database (on PostgreSQL named after the
worker) and directories.

Installed plugins (entry points of group `cosell`) are NOT loaded by the test apps unless
a test asks for them, so that a suite does not depend on what else is installed in the
environment; the built-in plugins always are. Ask with the marker

    @pytest.mark.cosell_plugins("example")            # installed plugins by entry-point name
    @pytest.mark.cosell_plugins(("acme", acme_rules))  # or (name, plugin object) pairs

(on a test, a class or a module's `pytestmark`), which applies to every app of the test
(`gql`, `world`, `cosell_app_factory`, `cosell_live_server`), or per app with
`cosell_app_factory(extra_plugins=[(name, plugin)], plugins_allow=("example",))`.

Fixtures:
- `cosell_settings`: Settings for the test database (metrics exposed, background jobs off).
- `cosell_app_factory`: `async with cosell_app_factory(extra_plugins=[...], **settings) as client:`
  an app with its lifespan running and an httpx client for it (`client.app` is the app);
  any `Settings` field can be overridden by keyword.
- `cosell_client`: the default app's client.
- `gql`: `await gql(query, variables, token=...)` → the JSON body (fails on errors unless
  `errors=True`).
- `world`: two authorized partners and a user of every role, with tokens.
- `cosell_live_server`: a real uvicorn process on the test database (its base URL).

Helpers to import: `GraphQLClient(client)` (what `gql` is, for a client of
`cosell_app_factory`), `global_id(type_name, pk)`, `make_partner(name, **fields)`,
`live_server(database_url, **env)` (a uvicorn process on any database).

More fixtures for testing plugins (`drain_outbox`, live servers running background jobs)
are in `server/testing_plugins.py`, registered with this module (docs/plugins.md).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import inspect
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterable, Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import pytest_asyncio
from piccolo.table import sort_table_classes

from partners.infra.clock import now
from partners.infra.engines import bind_engine, engine_for, is_postgres_url
from partners.infra.migrate import apply_migrations
from partners.infra.piccolo_app import APP_CONFIG
from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region, Role
from partners.people.identity import create_user, issue_token
from partners.people.tables import Partner
from partners.program.tables import PartnerAgreement, PartnerTraining
from server.settings import Settings


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
        # Under pytest-xdist every worker has a session, hence a database, of its own.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        name = f"cosell_test_{worker + '_' if worker else ''}{uuid.uuid4().hex[:10]}"
        try:
            asyncio.run(_pg_admin(base, f'CREATE DATABASE "{name}"'))
        except Exception as exc:
            from server.cli.common import missing_database_message

            message = missing_database_message(exc, base)
            if message is None:
                raise
            # The tests connect to DATABASE_URL's database only to create their own.
            pytest.exit(message, returncode=2)
        url = _with_database(base, name)
    else:
        name = None
        url = f"sqlite:///{tmp_path_factory.mktemp('cosell-db') / 'test.sqlite3'}"
    # The CLI run by tests and Piccolo's own config see the test database too, and, like
    # the test apps, no installed plugin unless a test names it (COSELL_PLUGINS="").
    previous = {name: os.environ.get(name) for name in ("DATABASE_URL", "COSELL_PLUGINS")}
    os.environ["DATABASE_URL"] = url
    os.environ["COSELL_PLUGINS"] = ""
    bind_engine(engine_for(url))
    asyncio.run(apply_migrations())
    try:
        yield url
    finally:
        for env_name, value in previous.items():
            if value is None:
                os.environ.pop(env_name, None)
            else:
                os.environ[env_name] = value
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
            # audit_log and audit_target refuse DELETE (append-only triggers); SQLite has no
            # TRUNCATE, so the reset drops their guards and creates them again from their SQL.
            guards = await (await conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('audit_log', 'audit_target')")).fetchall()
            for name, _ in guards:
                await conn.execute(f'DROP TRIGGER "{name}"')
            for table in reversed(tables):
                await conn.execute(f'DELETE FROM "{table._meta.tablename}"')
            for _, sql in guards:
                await conn.execute(sql)
            await conn.commit()


MARKER = "cosell_plugins"


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(*plugins): load these plugins in the test's cosell apps: names of installed plugins "
        "(entry points of group `cosell`) and/or (name, plugin) pairs to register.",
    )


@dataclass(frozen=True)
class MarkedPlugins:
    """The plugins a test asked for with the `cosell_plugins` marker."""

    installed: tuple[str, ...] = ()
    extra: tuple[tuple[str, Any], ...] = ()


@pytest.fixture
def cosell_test_plugins(request) -> MarkedPlugins:
    installed: list[str] = []
    extra: list[tuple[str, Any]] = []
    for marker in request.node.iter_markers(MARKER):
        for item in marker.args:
            if isinstance(item, str):
                installed.append(item)
            elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                extra.append(item)
            else:
                raise TypeError(f"@pytest.mark.{MARKER} takes plugin names or (name, plugin) pairs, got {item!r}")
    return MarkedPlugins(installed=tuple(dict.fromkeys(installed)), extra=tuple(extra))


@pytest.fixture(scope="session")
def cosell_var_dir(tmp_path_factory) -> Path:
    """Where the test apps write files (`mail/` …): a temporary directory of the session."""
    return tmp_path_factory.mktemp("cosell-var")


@pytest.fixture
def cosell_settings(cosell_database_url, cosell_var_dir, cosell_test_plugins) -> Settings:
    # Background jobs off: tests drive them explicitly (`app.state.background.run_once()`)
    # or switch them on with `cosell_app_factory(background_jobs=True)`. Installed plugins:
    # only those the test names (see the module docstring). The token cache is off, so
    # `sqlStatements` counts the token lookup in every request; tests of the cache turn it
    # on with `cosell_app_factory(auth_cache_seconds=…)`.
    return Settings.from_env(
        database_url=cosell_database_url, expose_metrics=True, log_json=False, background_jobs=False,
        var_dir=cosell_var_dir, plugins_allow=cosell_test_plugins.installed, auth_cache_seconds=0.0,
        gc_freeze=False,  # one app per test: freezing each would only slow the suite down
        gc_young_threshold=0,  # Python's own: apps of one test may overlap (tests/server/test_gc_tuning.py)
    )


def _schema_for(settings: Settings):
    """The GraphQL schema of these settings, built once per test process: building it is
    most of what a new app costs, and it keeps no state of its own between requests
    (every request gets new extension instances). Settings holding something unhashable
    (the JWT issuers' dicts) get a schema of their own."""
    try:
        return _cached_schema(settings)
    except TypeError:
        from schema import build_schema

        return build_schema(settings)


def _extends_schema(pm) -> bool:
    """Whether a plugin of `pm` implements `cosell_extend_schema` (no built-in does)."""
    from schema.plugin_api.additions import HOOK

    caller = getattr(pm.hook, HOOK, None)
    return caller is not None and bool(caller.get_hookimpls())


@functools.lru_cache(maxsize=16)
def _cached_schema(settings: Settings):
    from schema import build_schema

    return build_schema(settings)


@pytest_asyncio.fixture
async def cosell_app_factory(cosell_settings, cosell_database_url, cosell_test_plugins):
    """Build an app (optionally with extra plugins or other settings) and serve it in-process."""
    from plugins.manager import plugin_manager_for
    from server.app import create_app

    await truncate_all(cosell_database_url)

    @asynccontextmanager
    async def factory(extra_plugins: Iterable[tuple[str, Any]] = (), **overrides) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings.from_env(**{**cosell_settings.__dict__, **overrides})
        extras = [*cosell_test_plugins.extra, *extra_plugins]
        pm = plugin_manager_for(settings, extra_plugins=extras)
        # Apps share the schema of their settings unless a plugin adds to it
        # (`cosell_extend_schema`): then the app builds its own, with the additions.
        shared = None if _extends_schema(pm) else _schema_for(settings)
        app = create_app(settings, plugin_manager=pm, schema=shared)
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


def global_id(type_name: str, pk: int) -> str:
    """The Relay global id of row `pk` of a Node type (`global_id("Partner", world.partners["alpha"])`)."""
    if inspect.iscoroutine(pk):
        pk.close()
        raise TypeError(f"global_id({type_name!r}, ...) got a coroutine: `make_partner` is async, "
                        "write `await make_partner(...)`")
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


@dataclass
class World:
    """Tokens and ids of a small world: `tokens["admin"]`, `partners["alpha"]` …"""

    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    partners: dict[str, int] = field(default_factory=dict)


async def make_partner(name: str, **fields: Any) -> int:
    """ASYNC: `pk = await make_partner("Gamma Systems", track="SELECT")` writes a partner and
    returns its row id (an int; `global_id("Partner", pk)` for GraphQL). Without `await` it
    returns a coroutine and writes nothing.

    Defaults: an AUTHORIZED OPEN-track RESELLER in AMER/US, nickname = the first three
    letters of `name` upper-cased, a signed agreement now and 3 trained employees (P2).
    Keywords override any `Partner` column: `nickname`, `partner_type`, `track`, `status`,
    `region`, `country`, `city`, `is_psp`, `published`, `website`, `latitude`, `longitude`,
    `agreement_signed_at` (None: no agreement), `trained_employees` (enums or their values).
    """
    values = dict(
        name=name, nickname=name[:3].upper(), partner_type=PartnerType.RESELLER.value,
        track=PartnerTrack.OPEN.value, status=PartnerStatus.AUTHORIZED.value, agreement_signed_at=now(),
        trained_employees=3, region=Region.AMER.value, country="US", created_at=now(),
    )
    values.update({k: (v.value if hasattr(v, "value") else v) for k, v in fields.items()})
    partner = Partner(**values)
    await partner.save()
    # P2 is computed from the records: a signed agreement and that many trained people.
    if values["agreement_signed_at"] is not None:
        await PartnerAgreement(partner=partner.id, version="2026.1", signed_on=values["agreement_signed_at"].date(),
                               signer_name=f"{name} Signer", recorded_at=now()).save()
    for person in range(values["trained_employees"] or 0):
        await PartnerTraining(partner=partner.id, person_name=f"{name} Trainee {person + 1}",
                              person_email=f"trainee{person + 1}@{partner.id}.partner.test",
                              course="PARTNER_FOUNDATIONS", completed_on=values["agreement_signed_at"].date()
                              if values["agreement_signed_at"] else now().date(), recorded_at=now()).save()
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
    await make_user(w, "advocate", Role.SMB_ADVOCATE, regions=[Region.AMER])
    await make_user(w, "alpha_user", Role.PARTNER_USER, partner_id=w.partners["alpha"])
    await make_user(w, "beta_user", Role.PARTNER_USER, partner_id=w.partners["beta"])
    await make_user(w, "alpha_admin", Role.PARTNER_ADMIN, partner_id=w.partners["alpha"])
    return w


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(url: str, process: subprocess.Popen, *, timeout: float = 30,
                     output: Callable[[], str] = lambda: "") -> None:
    """Poll `url`/readyz until it answers 200; fail if the process exits or time runs out
    (`output` adds the process's log to the failure)."""
    deadline = time.monotonic() + timeout
    # One client for all the polls: `httpx.get` builds a client, hence an SSL context
    # (~20 ms of CPU), per call, and a busy machine's server may take a hundred polls.
    with httpx.Client(timeout=1) as client:
        while True:
            try:
                if client.get(f"{url}/readyz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert process.poll() is None, f"the server exited during startup\n{output()}"
            assert time.monotonic() < deadline, f"the server did not become ready\n{output()}"
            time.sleep(0.1)


@contextmanager
def live_server(database_url: str, *, cwd: str | os.PathLike | None = None,
                **env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run uvicorn (its own process) on `database_url` until the block ends; yields its
    base URL and the process. `env` adds environment variables (COSELL_… settings). It
    runs the installed package from `cwd` (a temporary directory by default), so it works
    whatever the current directory is."""
    port = free_port()
    # The code these tests import, not whichever checkout the virtualenv installed.
    root = str(Path(__file__).resolve().parents[1])
    python_path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "DATABASE_URL": database_url, "COSELL_BACKGROUND_JOBS": "0", "COSELL_LOG_LEVEL": "WARNING",
           "PYTHONPATH": python_path, **env}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--port", str(port), "--log-level", "warning"],
        cwd=cwd or tempfile.gettempdir(), env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # Generous: eight fuzz parts and other tests start servers on a machine that may be busy.
        wait_until_ready(url, process, timeout=90)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def cosell_live_server(cosell_database_url, cosell_var_dir, cosell_test_plugins, tmp_path):
    """A real uvicorn server (its own process) on the test database; yields its base URL.

    It loads the installed plugins the test names with the marker (not the (name, plugin)
    pairs: those live in this process only)."""
    with live_server(cosell_database_url, cwd=tmp_path, COSELL_VAR_DIR=str(cosell_var_dir),
                     COSELL_PLUGINS=",".join(cosell_test_plugins.installed)) as (url, _):
        yield url


# The plugin-testing helpers (drain_outbox, live servers with background jobs): their own module.
pytest_plugins = ["server.testing_plugins"]
