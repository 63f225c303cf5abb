"""cosell's plugin system (pluggy). Plugin authors import `hookimpl` from here, never pluggy."""

from plugins.hookspecs import hookimpl, hookspec

__all__ = ["hookimpl", "hookspec"]
