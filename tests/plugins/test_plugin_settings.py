"""Typed plugin settings (issue 9): declared by the plugin, read from
COSELL_PLUGIN_<NAME>_<KEY>, validated at startup with errors naming the plugin and the
variable, and used by the plugin's hooks."""

from pathlib import Path

import pytest

from plugins.manager import PluginError, get_plugin_manager
from plugins.settings import PluginSettings, Setting, SettingError, env_var
from server.testing import GraphQLClient
from tests.plugins.installed import install_plugin
from tests.schema.sales import CREATE_OPPORTUNITY, create_account


def test_variables_are_namespaced_by_plugin_name():
    assert env_var("acme-rules", "max_resellers") == "COSELL_PLUGIN_ACME_RULES_MAX_RESELLERS"
    assert env_var("acme.rules", "x") == "COSELL_PLUGIN_ACME_RULES_X"


def test_values_are_parsed_by_type_with_defaults():
    declared = PluginSettings(
        Setting("limit", int, default=1), Setting("ratio", float, default=0.5), Setting("on", bool, default=False),
        Setting("file", Path, default=Path("/nowhere")), Setting("tier", ("gold", "silver"), default="silver"),
        Setting("name", str),
    )
    declared.load("acme", {"COSELL_PLUGIN_ACME_LIMIT": " 3 ", "COSELL_PLUGIN_ACME_ON": "yes",
                           "COSELL_PLUGIN_ACME_TIER": "gold", "COSELL_PLUGIN_ACME_NAME": "x"})
    assert declared.values() == {"limit": 3, "ratio": 0.5, "on": True, "file": Path("/nowhere"), "tier": "gold",
                                 "name": "x"}


def test_every_problem_is_reported_at_once_naming_plugin_and_variables():
    declared = PluginSettings(
        Setting("name", str, help="the partner program"), Setting("limit", int, default=1),
        Setting("on", bool, default=False), Setting("tier", ("gold", "silver"), default="silver"),
        Setting("percent", int, default=5, check=lambda n: 0 <= n <= 100 or "must be between 0 and 100"),
    )
    env = {"COSELL_PLUGIN_ACME_LIMIT": "many", "COSELL_PLUGIN_ACME_ON": "perhaps", "COSELL_PLUGIN_ACME_TIER": "bronze",
           "COSELL_PLUGIN_ACME_PERCENT": "250"}
    with pytest.raises(SettingError) as raised:
        declared.load("acme", env)
    assert str(raised.value) == (
        "Plugin 'acme' has invalid settings: "
        "COSELL_PLUGIN_ACME_NAME is required (a string): the partner program; "
        "COSELL_PLUGIN_ACME_LIMIT must be an integer (got 'many'); "
        "COSELL_PLUGIN_ACME_ON must be one of 1/0, true/false, yes/no, on/off (got 'perhaps'); "
        "COSELL_PLUGIN_ACME_TIER must be one of gold, silver (got 'bronze'); "
        "COSELL_PLUGIN_ACME_PERCENT must be between 0 and 100 (got '250')"
    )


def test_an_installed_plugin_with_invalid_settings_stops_the_manager(tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch)
    monkeypatch.setenv("COSELL_PLUGIN_ACME_STRICT", "maybe")
    with pytest.raises(PluginError, match=r"Plugin 'acme' has invalid settings: COSELL_PLUGIN_ACME_BANNED_WORD is "
                                          r"required .*COSELL_PLUGIN_ACME_STRICT must be one of"):
        get_plugin_manager(allow=["acme"])


async def test_a_plugin_reads_its_settings_in_its_hooks(cosell_app_factory, world, tmp_path, monkeypatch):
    """Through GraphQL: the installed plugin's rule uses the value of its setting."""
    install_plugin(tmp_path, monkeypatch)
    monkeypatch.setenv("COSELL_PLUGIN_ACME_BANNED_WORD", "Free")
    async with cosell_app_factory(plugins_allow=("acme",)) as client:
        gql = GraphQLClient(client)
        account = await create_account(gql, world)
        body = await gql(CREATE_OPPORTUNITY, {"input": {"accountId": account, "name": "Free licences"}},
                         token=world.tokens["ae"])
    (error,) = body["data"]["createOpportunity"]["errors"]
    assert (error["code"], error["rule"], error["field"]) == ("BANNED_WORD", "ACME2", ["name"])


async def test_invalid_settings_stop_the_app_at_startup(cosell_app_factory, tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch)
    with pytest.raises(PluginError, match="COSELL_PLUGIN_ACME_BANNED_WORD is required"):
        async with cosell_app_factory(plugins_allow=("acme",)):
            pass
