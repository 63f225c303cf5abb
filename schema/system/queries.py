"""Introspection of the running service: loaded plugins."""

from __future__ import annotations

import strawberry

from schema.core.context import Info
from schema.core.access import STAFF, access


@strawberry.type(description="A loaded plugin: a built-in rule set or a third-party package.")
class Plugin:
    name: str
    version: str
    builtin: bool = strawberry.field(description="True for cosell's own default rules.")
    hooks: list[str] = strawberry.field(description="The hooks it implements.")


@strawberry.type
class SystemQuery:
    @strawberry.field(description="Plugins loaded in this server (staff only).", extensions=[access(STAFF)])
    def plugins(self, info: Info) -> list[Plugin]:
        return [
            Plugin(name=p.name, version=p.version, builtin=p.builtin, hooks=list(p.hooks))
            for p in info.context.plugins.plugin_infos()
        ]
