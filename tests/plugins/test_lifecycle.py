"""Issue 41: `cosell_startup(app_context)` / `cosell_shutdown(app_context)`, called by the
app's lifespan and by the commands that call hooks; a plugin learns its registered name and
its settings there; a setting with `default=None` is optional."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from plugins import AppContext, PluginSettings, Setting, hookimpl
from plugins.manager import PluginError, get_plugin_manager
from server.app import StartupError
from server.testing import GraphQLClient
from tests.plugins.installed import install_plugin

ROOT = Path(__file__).resolve().parents[2]


class Connection:
    """A plugin holding a connection to its CRM for the life of the process."""

    plugin_settings = PluginSettings(
        Setting("crm_url", str, default=None, help="the CRM to sync to; unset: no sync",
                check=lambda url: url.startswith("https://") or "must be an https:// URL"),
        Setting("batch", int, default=10),
    )

    def __init__(self) -> None:
        self.calls: list[tuple[str, AppContext]] = []
        self.open = False

    @hookimpl
    async def cosell_startup(self, app_context):
        await asyncio.sleep(0)  # connect
        self.open = True
        self.calls.append(("startup", app_context))

    @hookimpl
    async def cosell_shutdown(self, app_context):
        self.open = False
        self.calls.append(("shutdown", app_context))


async def test_hook_cosell_startup_and_cosell_shutdown_around_the_app(cosell_app_factory, world, monkeypatch):
    monkeypatch.setenv("COSELL_PLUGIN_CRM_SYNC_BATCH", "25")
    plugin = Connection()
    async with cosell_app_factory(extra_plugins=[("crm-sync", plugin)]) as client:
        assert plugin.open and [name for name, _ in plugin.calls] == ["startup"]
        body = await GraphQLClient(client)("{ viewer { email } }", token=world.tokens["admin"])
        assert body["data"]["viewer"]["email"]
    assert not plugin.open and [name for name, _ in plugin.calls] == ["startup", "shutdown"]
    context = plugin.calls[0][1]
    assert (context.plugin_name, context.process) == ("crm-sync", "serve")
    # The optional setting left unset is None (its check is not called); the other is read.
    assert context.settings == {"crm_url": None, "batch": 25}
    assert context.cosell_version and plugin.calls[1][1] == context


def test_an_optional_setting_is_checked_when_it_is_set(monkeypatch):
    monkeypatch.setenv("COSELL_PLUGIN_CRM_SYNC_CRM_URL", "http://crm.example")
    with pytest.raises(PluginError, match=r"COSELL_PLUGIN_CRM_SYNC_CRM_URL must be an https:// URL"):
        get_plugin_manager(allow=(), extra_plugins=[("crm-sync", Connection())])
    monkeypatch.setenv("COSELL_PLUGIN_CRM_SYNC_CRM_URL", "https://crm.example")
    pm = get_plugin_manager(allow=(), extra_plugins=[("crm-sync", Connection())])
    assert pm.plugin_settings("crm-sync")["crm_url"] == "https://crm.example"


class FailingStart:
    @hookimpl
    def cosell_startup(self, app_context):
        raise ConnectionError("the CRM refused the credentials")


async def test_a_failing_start_up_stops_the_app_naming_the_plugin_and_closes_those_started(cosell_app_factory):
    started = Connection()
    # pluggy calls the last registered first: "crm-sync" starts, then "broken-crm" fails.
    with pytest.raises(StartupError, match=r"Plugin 'broken-crm' failed in cosell_startup: ConnectionError"):
        async with cosell_app_factory(extra_plugins=[("broken-crm", FailingStart()), ("crm-sync", started)]):
            pass  # pragma: no cover - never served
    assert [name for name, _ in started.calls] == ["startup", "shutdown"] and not started.open


class FailingStop:
    @hookimpl
    def cosell_shutdown(self, app_context):
        raise RuntimeError("already closed")


async def test_hook_cosell_shutdown_a_failure_is_logged_and_the_others_still_stop(cosell_app_factory, caplog):
    other = Connection()
    async with cosell_app_factory(extra_plugins=[("crm-sync", other), ("sloppy", FailingStop())]):
        pass
    assert [name for name, _ in other.calls] == ["startup", "shutdown"]
    assert "Plugin 'sloppy' failed in cosell_shutdown: RuntimeError: already closed" in caplog.text


LIFECYCLE_PLUGIN = '''
import json
import os

from plugins import hookimpl


def _note(what, app_context):
    with open(os.environ["LIFECYCLE_LOG"], "a") as log:
        log.write(json.dumps([what, app_context.plugin_name, app_context.process]) + "\\n")


@hookimpl
async def cosell_startup(app_context):
    _note("startup", app_context)


@hookimpl
def cosell_shutdown(app_context):
    _note("shutdown", app_context)
'''


def test_hook_cosell_startup_in_the_commands_that_call_hooks(tmp_path, monkeypatch, cosell_database_url):
    """`cosell outbox send --once` and `cosell registrations expire` start and stop the
    plugins, which learn their entry-point name; `cosell outbox status` calls no hook."""
    install_plugin(tmp_path, monkeypatch, entry_name="crm-sync", source=LIFECYCLE_PLUGIN)
    log = tmp_path / "lifecycle.jsonl"
    env = {**os.environ, "DATABASE_URL": cosell_database_url, "COSELL_PLUGINS": "crm-sync",
           "LIFECYCLE_LOG": str(log), "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    for command in (["outbox", "send", "--once"], ["registrations", "expire"], ["outbox", "status"]):
        done = subprocess.run([sys.executable, "-m", "server.cli", *command], env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    notes = [json.loads(line) for line in log.read_text().splitlines()]
    assert notes == [["startup", "crm-sync", "outbox send"], ["shutdown", "crm-sync", "outbox send"],
                     ["startup", "crm-sync", "registrations expire"], ["shutdown", "crm-sync", "registrations expire"]]
    shown = subprocess.run([sys.executable, "-m", "server.cli", "plugins", "show", "crm-sync"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert "    cosell_startup(app_context)  [async]" in shown.stdout.splitlines()
    assert "    cosell_shutdown(app_context)" in shown.stdout.splitlines()


def test_a_command_whose_plugin_fails_to_start_exits_with_status_1_naming_it(tmp_path, monkeypatch,
                                                                            cosell_database_url):
    install_plugin(tmp_path, monkeypatch, entry_name="crm-broken", source=(
        "from plugins import hookimpl\n\n"
        "@hookimpl\n"
        "def cosell_startup(app_context):\n"
        "    raise ConnectionError('the CRM refused the credentials')\n"))
    env = {**os.environ, "DATABASE_URL": cosell_database_url, "COSELL_PLUGINS": "crm-broken",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    done = subprocess.run([sys.executable, "-m", "server.cli", "outbox", "send", "--once"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert ("cosell: cannot start: Plugin 'crm-broken' failed in cosell_startup: ConnectionError: the CRM refused "
            "the credentials") in done.stderr
    assert "Traceback" not in done.stderr
