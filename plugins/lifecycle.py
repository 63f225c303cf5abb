"""`cosell_startup` / `cosell_shutdown` (issue 41): each plugin told, with its own context,
when the process it runs in starts and stops.

The server's lifespan (`server/app.py`) and the CLI commands that call hooks
(`server/cli/`) hold a `PluginLifecycle`: `start()` before they serve or work, `stop()`
after. Each implementation gets an `AppContext` made for its plugin (its registered name
and its settings' values), so a plugin learns its own entry-point name here.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass, field
from typing import Any, Mapping

log = logging.getLogger("cosell.plugins")


@dataclass(frozen=True)
class AppContext:
    """What `cosell_startup(app_context)` and `cosell_shutdown(app_context)` receive.

    - `plugin_name`: the name the plugin is registered under (its entry-point name; the
      module path of a built-in; the name a test gives), the name of `COSELL_PLUGINS`,
      its settings' variables and the log;
    - `settings`: the values of its declared `plugin_settings` by key (empty without any);
    - `cosell_version`: the installed cosell's version;
    - `process`: what is starting, "serve" (the server, once per worker process) or the CLI
      command ("outbox send", "rates fetch", "registrations expire").
    """

    plugin_name: str
    process: str
    cosell_version: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)


class PluginLifecycle:
    """Start and stop the plugins of one plugin manager, for one process."""

    def __init__(self, plugins: Any, process: str) -> None:
        self.plugins = plugins
        self.process = process
        self._pending: set[str] = set()  # implement cosell_startup, not (successfully) started

    def context(self, name: str) -> AppContext:
        declared = self.plugins.plugin_settings(name)
        return AppContext(plugin_name=name, process=self.process, cosell_version=self.plugins.cosell_version,
                          settings=declared.values() if declared is not None else {})

    async def start(self) -> None:
        """Every `cosell_startup` in pluggy's order; the first failure (a `PluginFailure`
        naming the plugin) stops the plugins already started and propagates."""
        impls = list(reversed(self.plugins.hook.cosell_startup.get_hookimpls()))
        self._pending = {impl.plugin_name for impl in impls}
        for impl in impls:
            try:
                await _call(impl, self.context(impl.plugin_name))
            except Exception:
                await self.stop()
                raise
            self._pending.discard(impl.plugin_name)

    async def stop(self) -> None:
        """Every `cosell_shutdown` in pluggy's order, but those of plugins whose start-up
        did not run or failed; a failure is logged and the others still run."""
        for impl in reversed(self.plugins.hook.cosell_shutdown.get_hookimpls()):
            if impl.plugin_name in self._pending:
                continue
            try:
                await _call(impl, self.context(impl.plugin_name))
            except Exception as exc:  # noqa: BLE001 - one plugin's failure must not keep the others open
                log.error("%s", exc, exc_info=exc, extra={"plugin": impl.plugin_name, "hook": "cosell_shutdown"})


async def _call(impl: Any, app_context: AppContext) -> None:
    answer = impl.function(*[app_context for _ in impl.argnames])
    if inspect.isawaitable(answer):
        await answer
