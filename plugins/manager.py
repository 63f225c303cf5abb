"""Build the plugin manager: specs, built-ins, entry points, allow/deny lists.

Built in a factory, never at import time, so each app (and each test) gets its own.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import inspect
import logging
import os
import time
from dataclasses import dataclass
from importlib.metadata import entry_points, version
from typing import Any, Iterable

import pluggy

from partners.infra import tracing
from partners.infra.metrics import HOOK_CALLS, HOOK_SECONDS
from plugins import hookspecs
from plugins.builtin import BUILTIN_PLUGINS
from plugins.contracts import ASYNC_HOOKS, RESULT_CHECKS, SLOW_IS_LOGGED_ONLY
from plugins.settings import PluginSettings, SettingError, declared_settings

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


class PluginWrongResult(TypeError):
    """A hook implementation answered something its hook's contract does not allow."""


class PluginTooSlow(TimeoutError):
    """A hook implementation took longer than COSELL_PLUGIN_TIMEOUT_MS."""


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    builtin: bool
    hooks: tuple[str, ...]


class CosellPluginManager(pluggy.PluginManager):
    def __init__(self, *, trace_hooks: bool = False, timeout_ms: float = 0, may_raise_discounts: bool = False) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self.add_hookspecs(hookspecs)
        self._versions: dict[str, str] = {}
        self._builtin: set[str] = set()
        self._settings: dict[str, PluginSettings] = {}
        self.trace_hooks = trace_hooks
        # COSELL_PLUGIN_TIMEOUT_MS: 0 = no limit. Built-ins are not timed.
        self.timeout_ms = timeout_ms
        self.cosell_version = _cosell_version()
        # COSELL_PLUGINS_MAY_RAISE_DISCOUNTS (P8): read by the quotes (`partners.discounts.bounds`).
        self.may_raise_discounts = may_raise_discounts

    def register_plugin(self, plugin: Any, name: str, *, plugin_version: str, builtin: bool = False) -> None:
        try:
            self.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(_invalid(name, exc)) from exc
        refused = _sync_only_problem(self, plugin, name)
        if refused:
            self.unregister(plugin)
            raise PluginError(refused)
        self._versions[name] = plugin_version
        if builtin:
            self._builtin.add(name)
        declared = declared_settings(plugin)
        if declared is not None:
            try:
                declared.load(name, os.environ)
            except SettingError as exc:
                self.unregister(plugin)
                raise PluginError(str(exc)) from exc
            self._settings[name] = declared
        self._guard_implementations(plugin, name, timed=not builtin)

    def _guard_implementations(self, plugin: Any, name: str, *, timed: bool) -> None:
        """Wrap each plain hook implementation of `plugin` so that a failure, a wrong
        answer or a slow call names the plugin and the hook, and so that each call is
        timed: the hook metrics (`cosell_hook_calls_total`, `cosell_hook_duration_seconds`)
        always, the log too with COSELL_TRACE_HOOKS."""
        for caller in self.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and not (impl.wrapper or impl.hookwrapper):
                    impl.function = _guarded(impl.function, self, name, caller.name, tuple(impl.argnames), timed)

    async def acall(self, hook: str, **kwargs: Any) -> Any:
        """Call `hook` as pluggy does (the implementations in pluggy's order, each with the
        arguments it asks for; a firstresult hook stops at the first answer other than None),
        awaiting every awaitable answer: the way the host calls the hooks of
        `plugins.contracts.ASYNC_HOOKS`. Returns that first answer (or None), else the list of
        the answers other than None. Each call is guarded (`_guarded`): an awaitable answer is
        awaited under COSELL_PLUGIN_TIMEOUT_MS and cancelled at the limit."""
        caller = getattr(self.hook, hook)
        firstresult = bool(caller.spec is not None and caller.spec.opts.get("firstresult"))
        answers = []
        for impl in reversed(caller.get_hookimpls()):
            answer = impl.function(*[kwargs[argname] for argname in impl.argnames])
            if inspect.isawaitable(answer):
                answer = await answer
            if answer is None:
                continue
            if firstresult:
                return answer
            answers.append(answer)
        return None if firstresult else answers

    def plugin_settings(self, name: str) -> PluginSettings | None:
        """The settings plugin `name` declared (loaded and validated), or None."""
        return self._settings.get(name)

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


def _sync_only_problem(pm: CosellPluginManager, plugin: Any, name: str) -> str | None:
    """Issue 41: an `async def` implementation of a hook the host calls synchronously would
    register without a word and fail on every call; it is refused at start-up instead. Hook
    wrappers are refused on the hooks the host awaits (`acall` does not run them)."""
    for caller in pm.get_hookcallers(plugin) or ():
        for impl in caller.get_hookimpls():
            if impl.plugin is not plugin or caller.spec is None:  # an unknown hook: `check` says so
                continue
            if caller.name in ASYNC_HOOKS:
                if impl.wrapper or impl.hookwrapper:
                    return (f"Plugin {name!r} wraps {caller.name} (hookwrapper): hook wrappers are not supported "
                            "on the hooks cosell awaits; implement the hook itself")
            elif inspect.iscoroutinefunction(impl.function) or inspect.isasyncgenfunction(impl.function):
                return (f"Plugin {name!r} implements {caller.name} with an async function, but {caller.name} is "
                        "synchronous only: make it a plain `def` (docs/plugins.md lists which hooks may be async)")
    return None


def _invalid(name: str, exc: Exception) -> str:
    message = str(exc)
    return message if repr(name) in message else f"Plugin {name!r} is invalid: {message}"


@functools.lru_cache(maxsize=1)
def _cosell_version() -> str:
    # Read once per process (a scan of the installed distributions, ~5 ms): a test suite
    # builds a plugin manager per test.
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
    timeout_ms: float = 0,
    may_raise_discounts: bool = False,
) -> CosellPluginManager:
    """A ready plugin manager.

    - built-ins (`plugins.builtin.BUILTIN_PLUGINS`) are registered first;
    - then every entry point of group `cosell`, limited to `allow` when it is given
      (COSELL_PLUGINS);
    - `deny` (COSELL_DISABLE_PLUGINS) blocks any plugin by name, built-ins included;
    - `extra_plugins` are (name, plugin) pairs registered last (tests, embedding);
    - `timeout_ms` (COSELL_PLUGIN_TIMEOUT_MS) limits each call of a non-built-in plugin;
    - `may_raise_discounts` (COSELL_PLUGINS_MAY_RAISE_DISCOUNTS) lifts the P8 bound of plugin lines.
    A plugin's declared settings (`plugins.settings`) are validated as it is registered.
    """
    allow_set = None if allow is None else set(allow)
    deny_set = set(deny)
    pm = CosellPluginManager(trace_hooks=trace_hooks, timeout_ms=timeout_ms, may_raise_discounts=may_raise_discounts)
    for name in deny_set:
        pm.set_blocked(name)

    cosell_version = _cosell_version()
    for module_path in BUILTIN_PLUGINS:
        if module_path in deny_set:
            continue
        pm.register_plugin(importlib.import_module(module_path), module_path, plugin_version=cosell_version, builtin=True)

    # An empty allow-list (COSELL_PLUGINS="", every test app by default) loads no entry
    # point: no scan of the installed distributions (~25 ms, paid by every test's app).
    for ep in entry_points(group=ENTRY_POINT_GROUP) if allow_set != set() else ():
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


def plugin_manager_for(settings: Any, extra_plugins: Iterable[tuple[str, Any]] = ()) -> CosellPluginManager:
    """`get_plugin_manager` configured by `partners.infra.settings.Settings` (COSELL_PLUGINS,
    COSELL_DISABLE_PLUGINS, COSELL_TRACE_HOOKS, COSELL_PLUGIN_TIMEOUT_MS,
    COSELL_PLUGINS_MAY_RAISE_DISCOUNTS)."""
    return get_plugin_manager(
        allow=settings.plugins_allow,
        deny=settings.plugins_deny,
        extra_plugins=extra_plugins,
        trace_hooks=settings.trace_hooks,
        timeout_ms=settings.plugin_timeout_ms,
        may_raise_discounts=settings.plugins_may_raise_discounts,
    )


def _guarded(function, pm: CosellPluginManager, plugin: str, hook: str, argnames: tuple[str, ...], timed: bool):
    """`function` reporting failures as PluginFailure(plugin, hook, cause).

    Causes: an exception; an answer that breaks the hook's contract (`PluginWrongResult`,
    `plugins.contracts`); a call slower than `pm.timeout_ms` (`PluginTooSlow`). A
    synchronous call can only be measured after it returned: its answer is then
    discarded (except for the hooks of `SLOW_IS_LOGGED_ONLY`, where it is logged). An
    awaitable answer is awaited under `asyncio.wait_for` with what is left of the budget,
    so a slow lookup is cancelled at the limit.
    """
    check = RESULT_CHECKS.get(hook)

    def arguments(args, kwargs) -> dict[str, Any]:
        return {**dict(zip(argnames, args)), **kwargs}

    def limit_s() -> float | None:
        return pm.timeout_ms / 1000 if timed and pm.timeout_ms > 0 else None

    def verify(answer, args, kwargs) -> None:
        problem = check(answer, arguments(args, kwargs)) if check else None
        if problem:
            raise PluginWrongResult(f"{hook} {problem}")

    def too_slow(elapsed: float) -> PluginTooSlow:
        return PluginTooSlow(f"took {elapsed * 1000:.0f} ms, over the limit of {pm.timeout_ms:g} ms "
                             "(COSELL_PLUGIN_TIMEOUT_MS)")

    # The metric children of this implementation, looked up once: a call costs two updates.
    ok_calls, failed_calls = HOOK_CALLS.labels(hook, plugin, "ok"), HOOK_CALLS.labels(hook, plugin, "error")
    seconds = HOOK_SECONDS.labels(hook, plugin)

    def trace(started: float, outcome: str) -> None:
        """The one place a plugin's call is timed: metrics (a timeout counts as an error),
        and the log with COSELL_TRACE_HOOKS."""
        elapsed = time.perf_counter() - started
        (ok_calls if outcome == "ok" else failed_calls).inc()
        seconds.observe(elapsed)
        if pm.trace_hooks:
            log.info(
                "hook %s by %s: %s",
                hook,
                plugin,
                outcome,
                extra={"hook": hook, "plugin": plugin, "duration_ms": round(elapsed * 1000, 3), "outcome": outcome},
            )

    async def awaited(answer, started: float, args, kwargs):
        limit = limit_s()
        outcome = "ok"
        try:
            if limit is None:
                result = await answer
            else:
                remaining = max(limit - (time.perf_counter() - started), 0.0)
                try:
                    result = await asyncio.wait_for(answer, remaining)
                except TimeoutError:
                    raise too_slow(time.perf_counter() - started) from None
            verify(result, args, kwargs)
            return result
        except PluginTooSlow as exc:
            outcome = "timeout"
            raise PluginFailure(plugin, hook, exc) from exc
        except Exception as exc:
            outcome = "error"
            raise PluginFailure(plugin, hook, exc) from exc
        finally:
            trace(started, outcome)

    @functools.wraps(function)
    def call(*args, **kwargs):
        # A span per implementation call when tracing is on (issue 42): hook and plugin
        # names only, never the arguments. An awaitable answer ends it when it completes.
        if not tracing.enabled():
            return checked_call(args, kwargs)
        span = tracing.start(f"hook {hook}", {"cosell.hook": hook, "cosell.plugin": plugin})
        try:
            with tracing.activate(span, end=False):
                answer = checked_call(args, kwargs)
        except BaseException:
            span.end()
            raise
        if inspect.isawaitable(answer):
            return awaited_in_span(answer, span)
        span.end()
        return answer

    async def awaited_in_span(answer, span):
        with tracing.activate(span):
            return await answer

    def checked_call(args, kwargs):
        started = time.perf_counter()
        outcome = "ok"
        try:
            answer = function(*args, **kwargs)
            if inspect.isawaitable(answer) and hook not in ASYNC_HOOKS:
                if inspect.iscoroutine(answer):
                    answer.close()  # never awaited: no "coroutine was never awaited" warning
                raise PluginWrongResult(f"{hook} is synchronous only, got an awaitable {answer!r}")
            if inspect.isawaitable(answer):
                outcome = "awaitable"
                return awaited(answer, started, args, kwargs)
            limit = limit_s()
            elapsed = time.perf_counter() - started
            if limit is not None and elapsed > limit:
                if hook in SLOW_IS_LOGGED_ONLY:
                    log.warning("Plugin %r was slow in %s: %s", plugin, hook, too_slow(elapsed),
                                extra={"hook": hook, "plugin": plugin, "duration_ms": round(elapsed * 1000, 3)})
                else:
                    raise too_slow(elapsed)
            verify(answer, args, kwargs)
            return answer
        except PluginTooSlow as exc:
            outcome = "timeout"
            raise PluginFailure(plugin, hook, exc) from exc
        except Exception as exc:
            outcome = "error"
            raise PluginFailure(plugin, hook, exc) from exc
        finally:
            if outcome != "awaitable":  # an awaitable answer is traced when it completes
                trace(started, outcome)

    return call
