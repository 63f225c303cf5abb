"""`cosell plugins` (list, --hooks) and `cosell plugins show NAME` (hooks with their
marks, settings with their variables), on built-ins and on an installed package."""

import pytest

from server.cli import main
from tests.plugins.installed import install_plugin


@pytest.fixture
def acme(tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch)
    monkeypatch.setenv("COSELL_PLUGINS", "acme")
    monkeypatch.setenv("COSELL_PLUGIN_ACME_BANNED_WORD", "Free")


def test_plugins_lists_built_ins_and_installed_plugins_with_their_hooks(acme, capsys):
    assert main(["plugins", "--hooks"]) == 0
    out = capsys.readouterr().out
    assert "plugins.builtin.precedence 0.1.0 (built-in)\n    cosell_primary_partner\n" in out
    assert "acme 1.2.0 (installed)\n    cosell_validate_opportunity\n" in out


def test_plugins_honours_the_allow_and_deny_lists(acme, monkeypatch, capsys):
    monkeypatch.setenv("COSELL_DISABLE_PLUGINS", "acme,plugins.builtin.precedence")
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "acme" not in out and "plugins.builtin.precedence" not in out
    assert "plugins.builtin.reseller_rules" in out


def test_plugins_show_prints_hooks_and_settings(acme, capsys):
    assert main(["plugins", "show", "acme"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("acme 1.2.0 (installed)\n")
    assert "    cosell_validate_opportunity(opportunity, context)\n" in out
    assert "    COSELL_PLUGIN_ACME_BANNED_WORD = 'Free'  (a string, required) opportunity names may not contain it" in out
    assert "    COSELL_PLUGIN_ACME_STRICT = False  (a boolean)\n" in out
    assert "    COSELL_PLUGIN_ACME_TIER = 'silver'  (one of gold, silver)\n" in out


def test_plugins_show_marks_firstresult_and_ordering(capsys):
    assert main(["plugins", "show", "plugins.builtin.precedence"]) == 0
    assert "cosell_primary_partner(opportunity, partners)  [firstresult hook, trylast]" in capsys.readouterr().out


def test_plugins_show_unknown_name(capsys):
    assert main(["plugins", "show", "nope"]) == 1
    assert "no loaded plugin 'nope'" in capsys.readouterr().err


def test_plugins_reports_invalid_settings_naming_the_plugin(acme, monkeypatch, capsys):
    monkeypatch.delenv("COSELL_PLUGIN_ACME_BANNED_WORD")
    assert main(["plugins"]) == 2
    assert "Plugin 'acme' has invalid settings: COSELL_PLUGIN_ACME_BANNED_WORD is required" in capsys.readouterr().err


def test_serve_refuses_to_start_with_invalid_plugin_settings(acme, monkeypatch, capsys):
    monkeypatch.setenv("COSELL_PLUGIN_ACME_TIER", "bronze")
    assert main(["serve", "--port", "0"]) == 2
    assert ("cannot start: Plugin 'acme' has invalid settings: COSELL_PLUGIN_ACME_TIER must be one of gold, silver"
            in capsys.readouterr().err)
