"""The audit log: one append-only row per mutation call, whatever its outcome.

Nothing here updates or deletes audit rows. Inputs are summarised with secrets redacted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Protocol

from partners.infra.clock import now
from partners.infra.db import uncounted
from piccolo.columns.combination import WhereRaw

from partners.infra.tables import AuditEntry, AuditTarget

OK = "OK"
USER_ERROR = "USER_ERROR"
REFUSED = "REFUSED"
INTERNAL_ERROR = "INTERNAL_ERROR"

REDACTED = "[REDACTED]"
_SECRET_WORDS = ("token", "password", "secret", "apikey", "api_key", "credential")
SUMMARY_MAX = 2000


def is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def redact(value: Any) -> Any:
    """A copy of a JSON-like value with the string values of secret-looking keys replaced."""
    if isinstance(value, dict):
        return {k: REDACTED if is_secret_key(str(k)) and isinstance(v, str) else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def summarize(arguments: dict[str, Any]) -> str:
    text = json.dumps(redact(arguments), sort_keys=True, default=str, ensure_ascii=False)
    # A lone surrogate (refused input is audited too) cannot be stored: keep it as `\udxxx`.
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


@dataclass(frozen=True)
class Outcome:
    result: str
    codes: tuple[str, ...] = ()


class Actor(Protocol):
    """Who called, as the log records them (partners.people.principal.Principal is one)."""

    user_id: int
    email: str
    role: Enum


@dataclass(frozen=True)
class MutationCall:
    mutation: str
    arguments: dict[str, Any]
    outcome: Outcome
    # The objects the call names: (Node type, row id), e.g. ("Partner", 3) (issue 34).
    targets: tuple[tuple[str, int], ...] = field(default=())


async def record(principal: Actor | None, calls: list[MutationCall], request_id: str) -> None:
    """Append one row per call (one statement for all of them)."""
    if not calls:
        return
    at = now()
    rows = [
        AuditEntry(
            occurred_at=at,
            actor_user_id=principal.user_id if principal else None,
            actor=principal.email if principal else "",
            actor_role=principal.role.value if principal else "",
            mutation=call.mutation[:100],
            input_summary=summarize(call.arguments),
            result=call.outcome.result,
            error_codes=",".join(call.outcome.codes)[:500],
            request_id=request_id[:64],
        )
        for call in calls
    ]
    with uncounted():
        if not any(call.targets for call in calls):
            await AuditEntry.insert(*rows)
            return
        targets = []
        postgres = AuditEntry._meta.db.engine_type == "postgres"
        for row, call in zip(rows, calls):  # one by one: each row's id names its targets
            named = list(dict.fromkeys(call.targets))
            if postgres and named:  # the row and its targets in one statement (issue 38 item 5)
                await AuditEntry.raw(_ENTRY_WITH_TARGETS, *[getattr(row, c) for c in _ENTRY_COLUMNS],
                                     [kind[:60] for kind, _ in named], [key for _, key in named])
                continue
            await row.save()
            targets += [AuditTarget(entry=row.id, target_type=kind[:60], target_key=key) for kind, key in named]
        if targets:
            await AuditTarget.insert(*targets)


_ENTRY_COLUMNS = ("occurred_at", "actor_user_id", "actor", "actor_role", "mutation", "input_summary", "result",
                  "error_codes", "request_id")
_ENTRY_WITH_TARGETS = (
    f"WITH entry AS (INSERT INTO audit_log ({', '.join(_ENTRY_COLUMNS)}) "
    f"VALUES ({', '.join('{}' for _ in _ENTRY_COLUMNS)}) RETURNING id) "
    "INSERT INTO audit_target (entry, target_type, target_key) "
    "SELECT entry.id, t.target_type, t.target_key FROM entry, "
    "unnest({}::varchar[], {}::bigint[]) AS t(target_type, target_key)")


def audit_query(*, actor: str | None = None, mutation: str | None = None, since: datetime | None = None,
                actor_user_id: int | None = None, target_type: str | None = None, target_key: int | None = None):
    """(select, count) queries of the log, newest first, with the filters applied. A target
    is a Node type, alone (every row naming an object of that type) or with a row id."""
    select = AuditEntry.select().order_by(AuditEntry.id, ascending=False)
    count = AuditEntry.count()
    conditions = []
    if actor:
        conditions.append(AuditEntry.actor == actor.strip().lower())
    if actor_user_id is not None:
        conditions.append(AuditEntry.actor_user_id == actor_user_id)
    if target_type is not None and target_key is not None:
        conditions.append(WhereRaw("id IN (SELECT entry FROM audit_target WHERE target_key = {} AND target_type = {})",
                                   target_key, target_type))
    elif target_type is not None:
        conditions.append(WhereRaw("id IN (SELECT entry FROM audit_target WHERE target_type = {})", target_type))
    if mutation:
        conditions.append(AuditEntry.mutation == mutation.strip())
    if since is not None:
        conditions.append(AuditEntry.occurred_at >= since)
    for condition in conditions:
        select = select.where(condition)
        count = count.where(condition)
    return select, count
