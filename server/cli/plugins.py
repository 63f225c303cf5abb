"""`cosell plugins [--hooks]`, `cosell plugins show NAME`: the plugins loaded, their hooks and settings."""

from __future__ import annotations

import sys

from server.cli import common
from server.settings import Settings


def _plugin_manager_or_exit(settings: Settings):
    from plugins.manager import PluginError, plugin_manager_for

    try:
        return plugin_manager_for(settings)
    except PluginError as exc:
        print(f"cosell: {exc}", file=sys.stderr)
        return None


def cmd_plugins(args) -> int:
    pm = _plugin_manager_or_exit(common.load_settings())
    if pm is None:
        return 2
    for info in pm.plugin_infos():
        kind = "built-in" if info.builtin else "installed"
        print(f"{info.name} {info.version} ({kind})")
        if args.hooks:
            for hook in info.hooks:
                print(f"    {hook}")
    return 0


def cmd_plugins_show(args) -> int:
    """One plugin: version, kind, where it comes from, its hooks (with their ordering
    marks) and its settings with the environment variables that set them."""
    import inspect

    from plugins.settings import env_var

    pm = _plugin_manager_or_exit(common.load_settings())
    if pm is None:
        return 2
    info = next((i for i in pm.plugin_infos() if i.name == args.name), None)
    if info is None:
        names = ", ".join(i.name for i in pm.plugin_infos())
        print(f"cosell: no loaded plugin {args.name!r} (loaded: {names})", file=sys.stderr)
        return 1
    plugin = pm.get_plugin(info.name)
    print(f"{info.name} {info.version} ({'built-in' if info.builtin else 'installed'})")
    print(f"  from: {getattr(plugin, '__name__', None) or type(plugin).__module__ + '.' + type(plugin).__qualname__}")
    print("  hooks:")
    for hook in info.hooks:
        caller = getattr(pm.hook, hook)
        impl = next(i for i in caller.get_hookimpls() if i.plugin is plugin)
        marks = [m for m in ("tryfirst", "trylast", "wrapper", "hookwrapper") if getattr(impl, m)]
        if inspect.iscoroutinefunction(inspect.unwrap(impl.function)):
            marks.append("async")  # awaited by cosell (issue 41)
        if caller.spec and caller.spec.opts.get("firstresult"):
            marks.insert(0, "firstresult hook")
        print(f"    {hook}({', '.join(impl.argnames)})" + (f"  [{', '.join(marks)}]" if marks else ""))
    declared = pm.plugin_settings(info.name)
    if declared is not None:
        print("  settings:")
        values = declared.values()
        for setting in declared.settings:
            print(f"    {env_var(info.name, setting.key)} = {values.get(setting.key)!r}"
                  f"  ({setting.describe_type()}{', required' if setting.required else ''}"
                  f"{', optional' if setting.default is None else ''}) {setting.help}".rstrip())
    return 0
