"""Typed settings a plugin declares, read from namespaced environment variables.

A plugin (module or object) declares its settings in an attribute `plugin_settings`:

    from plugins import PluginSettings, Setting

    plugin_settings = PluginSettings(
        Setting("max_resellers", int, default=1, help="RESELLER-role partners allowed per opportunity",
                check=lambda n: n >= 1 or "must be at least 1"),
    )

    @hookimpl
    def cosell_validate_opportunity(opportunity, context):
        limit = plugin_settings["max_resellers"]

The value of setting `key` of the plugin registered as `name` comes from the environment
variable `COSELL_PLUGIN_<NAME>_<KEY>` (upper case, every character other than a letter or
a digit becomes `_`: plugin `acme-rules`, key `max_resellers` →
`COSELL_PLUGIN_ACME_RULES_MAX_RESELLERS`). The plugin manager loads and validates the
settings when it registers the plugin, i.e. at startup: a missing required value (a
setting with `default=None` is optional, never missing), a value
of the wrong type or one its `check` refuses stops the server with a `PluginError` naming
the plugin, the variable and the problem. Values come from the process environment, so
they are the same for every app of the process; they are read again each time a plugin
manager is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

ATTRIBUTE = "plugin_settings"


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingError(ValueError):
    """Invalid plugin settings; the message names the plugin and the variables."""


def env_var(plugin: str, key: str) -> str:
    """`COSELL_PLUGIN_<NAME>_<KEY>` for plugin `plugin` and setting `key`."""
    return "_".join(["COSELL_PLUGIN", _upper(plugin), _upper(key)])


def _upper(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", text).upper()


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("must be one of 1/0, true/false, yes/no, on/off")


_PARSERS: dict[Any, tuple[Callable[[str], Any], str]] = {
    str: (str, "a string"),
    int: (int, "an integer"),
    float: (float, "a number"),
    bool: (_parse_bool, "a boolean"),
    Path: (Path, "a path"),
}


@dataclass(frozen=True)
class Setting:
    """One typed setting: `key` (lower_snake), `type` (str, int, float, bool, Path, or
    a tuple of allowed strings), `default` (omit it to make the setting required;
    `default=None` makes it optional: unset, its value is None and `check` is not called),
    `help`, and an optional `check(value)` returning True, or False / a message to refuse."""

    key: str
    type: Any = str
    default: Any = REQUIRED
    help: str = ""
    check: Callable[[Any], Any] | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def describe_type(self) -> str:
        if isinstance(self.type, tuple):
            return "one of " + ", ".join(self.type)
        return _PARSERS[self.type][1]

    def parse(self, raw: str) -> Any:
        if isinstance(self.type, tuple):
            if raw not in self.type:
                raise ValueError(f"must be {self.describe_type()}")
            return raw
        parse, described = _PARSERS[self.type]
        try:
            return parse(raw.strip() if self.type is not str else raw)
        except ValueError as exc:
            raise ValueError(str(exc) if self.type is bool else f"must be {described}") from None

    def validate(self, value: Any) -> None:
        if self.check is None:
            return
        verdict = self.check(value)
        if verdict is True or verdict is None:
            return
        raise ValueError(verdict if isinstance(verdict, str) else "is refused by the plugin's check")


class PluginSettings:
    """The settings a plugin declares, and their values once loaded (`settings["key"]`)."""

    def __init__(self, *settings: Setting) -> None:
        keys = [s.key for s in settings]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate setting keys in {keys}")
        for setting in settings:
            if not isinstance(setting.type, tuple) and setting.type not in _PARSERS:
                raise ValueError(f"setting {setting.key!r}: unsupported type {setting.type!r}")
        self.settings: tuple[Setting, ...] = settings
        self.plugin_name: str | None = None
        self._values: dict[str, Any] = {}

    def load(self, plugin_name: str, environ: Mapping[str, str]) -> None:
        """Read and validate every setting; raise SettingError listing all problems."""
        values: dict[str, Any] = {}
        problems: list[str] = []
        for setting in self.settings:
            name = env_var(plugin_name, setting.key)
            raw = environ.get(name)
            try:
                if raw is None or raw == "":
                    if setting.required:
                        raise ValueError(f"is required ({setting.describe_type()}): {setting.help or 'no help'}")
                    value = setting.default
                else:
                    value = setting.parse(raw)
                if value is not None:  # an optional setting left unset (`default=None`) is not checked
                    setting.validate(value)
            except ValueError as exc:
                shown = "" if raw is None else f" (got {raw!r})"
                problems.append(f"{name} {exc}{shown}")
                continue
            values[setting.key] = value
        if problems:
            raise SettingError(f"Plugin {plugin_name!r} has invalid settings: " + "; ".join(problems))
        self.plugin_name = plugin_name
        self._values = values

    def __getitem__(self, key: str) -> Any:
        if key in self._values:
            return self._values[key]
        for setting in self.settings:
            if setting.key == key:
                if setting.required:
                    raise LookupError(f"setting {key!r} is not loaded yet (the plugin is not registered)")
                return setting.default
        raise KeyError(key)

    def values(self) -> dict[str, Any]:
        return {s.key: self[s.key] for s in self.settings if s.key in self._values or not s.required}


def declared_settings(plugin: Any) -> PluginSettings | None:
    declared = getattr(plugin, ATTRIBUTE, None)
    return declared if isinstance(declared, PluginSettings) else None
