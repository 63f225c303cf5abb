"""cosell's plugin system (pluggy). Plugin authors import `hookimpl` from here, never pluggy,
and `PluginSettings`/`Setting` to declare typed settings (see docs/plugins.md)."""

from plugins.hookspecs import hookimpl, hookspec
from plugins.settings import PluginSettings, Setting

__all__ = ["PluginSettings", "Setting", "hookimpl", "hookspec"]
