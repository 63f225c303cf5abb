"""Plugin loading: strict validation naming the plugin, deny lists, introspection."""

import pytest

from plugins.manager import PluginError, get_plugin_manager
from tests.plugins import misspelled_argument, pick_first_partner, unknown_hook


def test_misspelled_hook_argument_fails_naming_the_plugin():
    with pytest.raises(PluginError, match=r"(?s)Plugin 'acme-rules'.*partnerz"):
        get_plugin_manager(extra_plugins=[("acme-rules", misspelled_argument)])


def test_unknown_hook_fails_naming_the_plugin():
    with pytest.raises(PluginError, match=r"(?s)Plugin 'acme-typo'.*cosell_no_such_hook"):
        get_plugin_manager(extra_plugins=[("acme-typo", unknown_hook)])


def test_deny_list_blocks_a_plugin_by_name():
    pm = get_plugin_manager(extra_plugins=[("first", pick_first_partner)], deny=["first"])
    assert "first" not in [info.name for info in pm.plugin_infos()]


def test_loaded_plugins_are_introspectable():
    pm = get_plugin_manager(extra_plugins=[("first", pick_first_partner)])
    info = next(i for i in pm.plugin_infos() if i.name == "first")
    assert info.hooks == ("cosell_primary_partner",)
    assert info.builtin is False


async def test_invalid_plugin_stops_the_server_at_startup(cosell_app_factory):
    with pytest.raises(PluginError, match="acme-typo"):
        async with cosell_app_factory(extra_plugins=[("acme-typo", unknown_hook)]):
            pass


async def test_plugins_query_lists_loaded_plugins(cosell_app_factory, world):
    async with cosell_app_factory(extra_plugins=[("first", pick_first_partner)]) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ plugins { name version builtin hooks } }"},
            headers={"Authorization": f"Bearer {world.tokens['admin']}"},
        )
    plugins = {p["name"]: p for p in response.json()["data"]["plugins"]}
    assert plugins["first"] == {"name": "first", "version": "", "builtin": False, "hooks": ["cosell_primary_partner"]}


def test_a_failing_implementation_is_reported_with_its_plugin_and_hook():
    from plugins import hookimpl
    from plugins.manager import PluginFailure

    class Broken:
        @hookimpl
        def cosell_primary_partner(self, opportunity, partners):
            raise ValueError("boom")

    pm = get_plugin_manager(extra_plugins=[("first", pick_first_partner), ("acme-broken", Broken())])
    with pytest.raises(PluginFailure, match=r"Plugin 'acme-broken' failed in cosell_primary_partner: ValueError: boom"):
        pm.hook.cosell_primary_partner(opportunity=None, partners=["a"])
