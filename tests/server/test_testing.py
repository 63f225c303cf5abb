"""The test helpers as a pytest plugin (server/testing.py): installed plugins are loaded
only when a test asks, with the marker `cosell_plugins` (names or (name, plugin) pairs)."""

import pytest

from tests.plugins import distributor_first
from tests.plugins.installed import install_plugin

PLUGINS = "{ plugins { name builtin } }"


@pytest.fixture
def acme_installed(tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch)
    monkeypatch.setenv("COSELL_PLUGIN_ACME_BANNED_WORD", "Free")


async def names(gql, world) -> list[str]:
    body = await gql(PLUGINS, token=world.tokens["admin"])
    return [p["name"] for p in body["data"]["plugins"] if not p["builtin"]]


async def test_installed_plugins_are_not_loaded_unless_asked(acme_installed, gql, world):
    assert await names(gql, world) == []


@pytest.mark.cosell_plugins("acme")
async def test_the_marker_loads_an_installed_plugin_by_name(acme_installed, gql, world):
    assert await names(gql, world) == ["acme"]


@pytest.mark.cosell_plugins(("acme-precedence", distributor_first))
async def test_the_marker_registers_a_plugin_object(gql, world):
    assert await names(gql, world) == ["acme-precedence"]


def test_the_plugin_is_registered_through_its_entry_point(pytestconfig):
    import server.testing

    assert pytestconfig.pluginmanager.get_plugin("cosell") is server.testing
