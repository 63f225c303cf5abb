"""More of the pytest plugin `cosell` (registered by `server/testing.py`): helpers to test a
plugin's event hooks and its background work without undocumented fixtures or a
`cosell outbox send` subprocess (issue 41; docs/plugins.md, "Testing a plugin").

Fixtures:
- `drain_outbox`: `await drain_outbox()` delivers every outbox message due now with the
  default test app's handlers (the event hooks of its plugins, emails, webhooks), until
  none is left; `await drain_outbox(client)` does it for an app of `cosell_app_factory`.
  It returns the `DeliveryReport` (`sent`, `retried`, `dead`).
- `cosell_live_server_factory`: `with cosell_live_server_factory(background_jobs=True, **env) as url:`
  a real uvicorn process on the test database, started when the test asks (after its
  `monkeypatch.setenv`), with its background jobs (the outbox sender among them) running
  every `background_interval` seconds when `background_jobs` is true.
- `cosell_live_server_with_jobs`: such a server with its jobs on (its base URL).

Helpers to import: `deliver_outbox(app_or_client, now=None)` (what `drain_outbox` calls),
`eventually(check, timeout=30)` (wait until a live server has done something).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Awaitable, Callable, Iterator

import pytest

from partners.infra import outbox
from server.testing import live_server


async def deliver_outbox(app_or_client: Any, *, now: datetime | None = None) -> outbox.DeliveryReport:
    """Deliver every outbox message due at `now` (default: now) with the app's handlers,
    until none is left. A message whose handler raised (a plugin's event hook failing) is
    retried later with backoff, as in production: pass a later `now` to deliver it again."""
    from server.background import outbox_handlers, outbox_policy

    app = getattr(app_or_client, "app", app_or_client)
    handlers = outbox_handlers(app.state.settings, app.state.plugins)
    return await outbox.deliver_due(handlers, worker="drain_outbox", policy=outbox_policy(app.state.settings),
                                    now=now)


@pytest.fixture
def drain_outbox(cosell_client) -> Callable[..., Awaitable[outbox.DeliveryReport]]:
    """`await drain_outbox()` for the default test app (`gql`'s), `await drain_outbox(client)` for another."""

    async def drain(client: Any = None, *, now: datetime | None = None) -> outbox.DeliveryReport:
        return await deliver_outbox(client if client is not None else cosell_client, now=now)

    return drain


async def eventually(check: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.1) -> Any:
    """Call `check()` (plain or async) until it answers something truthy and return that;
    fail after `timeout` seconds. For what a live server does in its own time (its outbox
    sender), never to assert how fast."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if inspect.isawaitable(answer):
            answer = await answer
        if answer:
            return answer
        assert time.monotonic() < deadline, f"still not done after {timeout} s: {check!r}"
        await asyncio.sleep(interval)


@pytest.fixture
def cosell_live_server_factory(cosell_database_url, cosell_var_dir, cosell_test_plugins, tmp_path):
    """Start real uvicorn servers on the test database within a test (see the module docstring).

    They load the installed plugins the test names with the `cosell_plugins` marker (not
    the (name, plugin) pairs: those live in this process only); `env` adds or overrides
    COSELL_… variables; the process sees the environment as it is when the server starts."""

    @contextmanager
    def start(*, background_jobs: bool = False, background_interval: float = 0.2, **env: str) -> Iterator[str]:
        settings = {"COSELL_VAR_DIR": str(cosell_var_dir), "COSELL_PLUGINS": ",".join(cosell_test_plugins.installed),
                    "COSELL_BACKGROUND_JOBS": "1" if background_jobs else "0",
                    "COSELL_BACKGROUND_INTERVAL": str(background_interval)}
        with live_server(cosell_database_url, cwd=tmp_path, **{**settings, **env}) as (url, _):
            yield url

    return start


@pytest.fixture
def cosell_live_server_with_jobs(cosell_live_server_factory) -> Iterator[str]:
    """A live server whose background jobs run (the outbox sender delivers event hooks)."""
    with cosell_live_server_factory(background_jobs=True) as url:
        yield url
