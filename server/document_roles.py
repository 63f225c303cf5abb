"""COSELL_TRUSTED_DOCUMENTS_ROLES checked on its own (issue 17; `server.documents` applies it):
every `cosell` command checks the configuration before it runs, and this check must not
import the GraphQL schema (most of a command's start-up: ~0.8 s of CPU)."""

from __future__ import annotations

from partners.infra.settings import SettingsError
from partners.people.enums import Role

ANONYMOUS = "ANONYMOUS"


def allow_list_roles(names: tuple[str, ...]) -> frozenset[str]:
    known = {r.value for r in Role} | {ANONYMOUS}
    unknown = sorted(set(names) - known)
    if unknown:
        raise SettingsError("COSELL_TRUSTED_DOCUMENTS_ROLES",
                            f"COSELL_TRUSTED_DOCUMENTS_ROLES must list roles among {', '.join(sorted(known))}; "
                            f"unknown: {', '.join(unknown)}")
    return frozenset(names)
