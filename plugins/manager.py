"""Build the plugin manager: specs, built-ins, entry points, allow/deny lists.

Built in a factory, never at import time, so each app (and each test) gets its own.
"""

from __future__ import annotations

import functools
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


class PluginFailure(RuntimeError):
    """A plugin's hook implementation raised; says which plugin and which hook.

    It is an unexpected error for the API: the client sees a masked error with the
    request id, the log names the plugin, and the transaction around the call rolls back.
    """

    def __init__(self, plugin: str, hook: str, error: BaseException) -> None:
        super().__init__(f"Plugin {plugin!r} failed in {hook}: {type(error).__name__}: {error}")
        self.plugin = plugin
        self.hook = hook
        self.error = error


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    builtin: bool
    hooks: tuple[str, ...]


class CosellPluginManager(pluggy.PluginManager):
    def __init__(self, *, trace_hooks: bool = False) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self.add_hookspecs(hookspecs)
        self._versions: dict[str, str] = {}
        self._builtin: set[str] = set()
        self.trace_hooks = trace_hooks

    def register_plugin(self, plugin: Any, name: str, *, plugin_version: str, builtin: bool = False) -> None:
        try:
            self.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(_invalid(name, exc)) from exc
        self._versions[name] = plugin_version
        if builtin:
            self._builtin.add(name)
        self._guard_implementations(plugin, name)

    def _guard_implementations(self, plugin: Any, name: str) -> None:
        """Wrap each plain hook implementation of `plugin` so that a failure names the
        plugin and the hook, and so that COSELL_TRACE_HOOKS can time each plugin."""
        for caller in self.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and not (impl.wrapper or impl.hookwrapper):
                    impl.function = _guarded(impl.function, self, name, caller.name)

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
    pm = CosellPluginManager(trace_hooks=trace_hooks)
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
    return pm


def _guarded(function, pm: CosellPluginManager, plugin: str, hook: str):
    @functools.wraps(function)
    def call(*args, **kwargs):
        started = time.perf_counter()
        outcome = "ok"
        try:
            return function(*args, **kwargs)
        except Exception as exc:
            outcome = "error"
            raise PluginFailure(plugin, hook, exc) from exc
        finally:
            if pm.trace_hooks:
                log.info(
                    "hook %s by %s: %s",
                    hook,
                    plugin,
                    outcome,
                    extra={
                        "hook": hook,
                        "plugin": plugin,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                        "outcome": outcome,
                    },
                )

    return call
