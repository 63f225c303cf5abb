"""cosell's plugin system (pluggy). Plugin authors import `hookimpl` from here, never pluggy,
`PluginSettings`/`Setting` to declare typed settings, and the types hooks receive:
`EventEnvelope` (event hooks), `BackgroundJob` (`cosell_background_jobs`) and `AppContext` (`cosell_startup`/`cosell_shutdown`); see
docs/plugins.md."""

from plugins.envelope import EventEnvelope
from plugins.hookspecs import hookimpl, hookspec
from plugins.jobs import BackgroundJob
from plugins.lifecycle import AppContext
from plugins.settings import PluginSettings, Setting

__all__ = ["AppContext", "BackgroundJob", "EventEnvelope", "PluginSettings", "Setting", "hookimpl", "hookspec"]
