"""Build the plugin manager: specs, built-ins, entry points, allow/deny lists.

Built in a factory, never at import time, so each app (and each test) gets its own.
"""

from __future__ import annotations

import importlib
import logging
import time
from dataclasses import dataclass
from importlib.metadata import entry_points, version
from typing import Any, Iterable

import pluggy

from plugins import hookspecs
from plugins.builtin import BUILTIN_PLUGINS

ENTRY_POINT_GROUP = "cosell"
log = logging.getLogger("cosell.plugins")


class PluginError(RuntimeError):
    """A plugin could not be loaded or is invalid; the message names the plugin."""


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    builtin: bool
    hooks: tuple[str, ...]


class CosellPluginManager(pluggy.PluginManager):
    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self.add_hookspecs(hookspecs)
        self._versions: dict[str, str] = {}
        self._builtin: set[str] = set()

    def register_plugin(self, plugin: Any, name: str, *, plugin_version: str, builtin: bool = False) -> None:
        try:
            self.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(_invalid(name, exc)) from exc
        self._versions[name] = plugin_version
        if builtin:
            self._builtin.add(name)

    def check(self) -> None:
        """Fail when a plugin implements a hook that no spec declares."""
        try:
            self.check_pending()
        except pluggy.PluginValidationError as exc:
            name = self.get_name(exc.plugin) or repr(exc.plugin)
            raise PluginError(_invalid(name, exc)) from exc

    def plugin_infos(self) -> list[PluginInfo]:
        infos = []
        for name, plugin in self.list_name_plugin():
            if plugin is None:  # blocked
                continue
            hooks = tuple(sorted(caller.name for caller in self.get_hookcallers(plugin) or ()))
            infos.append(
                PluginInfo(
                    name=name,
                    version=self._versions.get(name, ""),
                    builtin=name in self._builtin,
                    hooks=hooks,
                )
            )
        return sorted(infos, key=lambda info: (not info.builtin, info.name))


def _invalid(name: str, exc: Exception) -> str:
    message = str(exc)
    return message if repr(name) in message else f"Plugin {name!r} is invalid: {message}"


def _cosell_version() -> str:
    try:
        return version("cosell")
    except Exception:  # noqa: BLE001 - running from a source tree without metadata
        return "0+unknown"


def get_plugin_manager(
    *,
    allow: Iterable[str] | None = None,
    deny: Iterable[str] = (),
    extra_plugins: Iterable[tuple[str, Any]] = (),
    trace_hooks: bool = False,
) -> CosellPluginManager:
    """A ready plugin manager.

    - built-ins (`plugins.builtin.BUILTIN_PLUGINS`) are registered first;
    - then every entry point of group `cosell`, limited to `allow` when it is given
      (COSELL_PLUGINS);
    - `deny` (COSELL_DISABLE_PLUGINS) blocks any plugin by name, built-ins included;
    - `extra_plugins` are (name, plugin) pairs registered last (tests, embedding).
    """
    allow_set = None if allow is None else set(allow)
    deny_set = set(deny)
    pm = CosellPluginManager()
    for name in deny_set:
        pm.set_blocked(name)

    cosell_version = _cosell_version()
    for module_path in BUILTIN_PLUGINS:
        if module_path in deny_set:
            continue
        pm.register_plugin(importlib.import_module(module_path), module_path, plugin_version=cosell_version, builtin=True)

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in deny_set or (allow_set is not None and ep.name not in allow_set):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # noqa: BLE001 - report any import failure with its name
            raise PluginError(f"Plugin {ep.name!r} failed to load from {ep.value}: {exc}") from exc
        dist_version = ep.dist.version if ep.dist is not None else ""
        pm.register_plugin(plugin, ep.name, plugin_version=dist_version)

    for name, plugin in extra_plugins:
        if name not in deny_set:
            pm.register_plugin(plugin, name, plugin_version="")

    pm.check()
    if trace_hooks:
        _trace_hook_calls(pm)
    return pm


def _trace_hook_calls(pm: pluggy.PluginManager) -> None:
    """COSELL_TRACE_HOOKS=1: log each hook call with its plugins, duration and outcome."""
    started: list[float] = []  # hook calls are synchronous, so a stack pairs them up

    def before(hook_name, hook_impls, kwargs):
        started.append(time.perf_counter())

    def after(outcome, hook_name, hook_impls, kwargs):
        duration_ms = (time.perf_counter() - started.pop()) * 1000
        log.info(
            "hook %s",
            hook_name,
            extra={
                "hook": hook_name,
                "plugins": [impl.plugin_name for impl in hook_impls],
                "duration_ms": round(duration_ms, 3),
                "outcome": "error" if outcome.exception else "ok",
            },
        )

    pm.add_hookcall_monitoring(before, after)
