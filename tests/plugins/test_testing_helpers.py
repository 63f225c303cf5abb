"""The test helpers plugin authors use (issue 41, docs/plugins.md "Testing a plugin"):
`drain_outbox` delivers event hooks in-process, a live server runs its background jobs
(the outbox sender), `make_partner` says it is async, the `world` is what the docs say,
and the documented pytest configuration runs without warnings."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from partners.infra.clock import now
from partners.people.tables import Partner, User
from plugins import hookimpl
from server.testing import GraphQLClient, global_id, make_partner
from server.testing_plugins import eventually
from tests.plugins.installed import install_plugin
from tests.schema.leads import create_lead

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


class LeadRecorder:
    """Hears lead events; fails the first `failures` calls (a CRM that is down)."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.heard: list[tuple[str, str]] = []

    @hookimpl
    def cosell_lead_event(self, event, lead):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("CRM down")
        self.heard.append((event, lead["company"]))


recorder = LeadRecorder()


@pytest.mark.cosell_plugins(("lead-recorder", recorder))
async def test_drain_outbox_delivers_event_hooks_in_process(gql, world, drain_outbox):
    recorder.heard.clear()
    await create_lead(gql, world)
    assert recorder.heard == []  # announced after commit, through the outbox
    report = await drain_outbox()
    assert recorder.heard == [("CREATED", "Initech")] and report.sent >= 1
    assert (await drain_outbox()).sent == 0  # nothing left


async def test_drain_outbox_retries_a_failing_hook_only_when_it_is_due_again(cosell_app_factory, world, drain_outbox):
    flaky = LeadRecorder(failures=1)
    async with cosell_app_factory(extra_plugins=[("flaky", flaky)]) as client:
        await create_lead(GraphQLClient(client), world)
        first = await drain_outbox(client)
        assert (first.sent, first.retried, flaky.heard) == (0, 1, [])
        assert (await drain_outbox(client)).claimed == 0  # backing off
        later = await drain_outbox(client, now=now() + timedelta(hours=2))
    assert later.sent == 1 and flaky.heard == [("CREATED", "Initech")]


RECORDING_PLUGIN = '''
from pathlib import Path

from plugins import PluginSettings, Setting, hookimpl

plugin_settings = PluginSettings(Setting("file", Path, help="where the heard events go"))


@hookimpl
def cosell_lead_event(event, lead):
    with plugin_settings["file"].open("a", encoding="utf-8") as out:
        out.write(f"{event} {lead['company']}\\n")
'''


@pytest.mark.cosell_plugins("recorder")
async def test_a_live_server_with_jobs_delivers_event_hooks_of_an_installed_plugin(
        cosell_live_server_factory, world, tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch, entry_name="recorder", source=RECORDING_PLUGIN)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # the server process finds the installed package
    heard = tmp_path / "heard.txt"
    monkeypatch.setenv("COSELL_PLUGIN_RECORDER_FILE", str(heard))
    with cosell_live_server_factory(background_jobs=True) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            await create_lead(GraphQLClient(client), world, company="Globex")
        assert await eventually(lambda: heard.exists() and "CREATED Globex" in heard.read_text())


async def test_make_partner_is_async_and_says_so(world):
    pending = make_partner("Forgotten Await")
    with pytest.raises(TypeError, match=r"`make_partner` is async, write `await make_partner\(...\)`"):
        global_id("Partner", pending)
    gamma = await make_partner("Gamma Systems", track="SELECT", region="APJ", country="JP")
    row = await Partner.select().where(Partner.id == gamma).first()
    assert isinstance(gamma, int) and (row["nickname"], row["track"], row["region"], row["status"]) == (
        "GAM", "SELECT", "APJ", "AUTHORIZED")


def _rows(heading: str) -> list[list[str]]:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index(heading):]
    section = section[:section.index("\n\n", section.index("| ---"))]
    return [[cell.strip().strip("`") for cell in line.strip("|").split("|")]
            for line in section.splitlines() if line.startswith("| `")]


async def test_the_world_is_what_docs_plugins_md_says(world):
    partners = {key: await Partner.select().where(Partner.id == pk).first() for key, pk in world.partners.items()}
    documented = {row[0]: row[1:] for row in _rows("The `world`'s partners")}
    assert documented == {key: [p["name"], p["nickname"], p["partner_type"], p["track"], p["status"], p["region"],
                                p["country"]] for key, p in partners.items()}
    names = {pk: key for key, pk in world.partners.items()}
    users = {key: await User.select().where(User.id == pk).first() for key, pk in world.user_ids.items()}
    documented = {row[0]: row[1:] for row in _rows("The `world`'s users")}
    assert documented == {key: [u["role"], ", ".join(u["regions"] or []) or "—", names.get(u["partner"], "—")]
                          for key, u in users.items()}
    assert set(world.tokens) == set(world.user_ids)


def test_the_documented_pytest_configuration_runs_async_tests_without_warnings(tmp_path):
    text = DOCS.read_text(encoding="utf-8")
    config = re.search(r"\n( *)\[tool\.pytest\.ini_options\]\n((?:\1\S.*\n)+)", text)
    assert config, "docs/plugins.md shows no [tool.pytest.ini_options]"
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(config.group(1) + "[tool.pytest.ini_options]\n" + config.group(2)))
    (tmp_path / "test_async.py").write_text(textwrap.dedent("""\
        import pytest_asyncio

        @pytest_asyncio.fixture
        async def answer():
            return 42

        async def test_answer(answer):
            assert answer == 42
        """))
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-W", "error", "-q"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0 and "1 passed" in run.stdout and "warning" not in run.stdout.lower(), run.stdout
