"""The example's CRM sync: a start-up hook and async, idempotent event hooks (issue 41).

The "CRM" is a JSON-lines file (COSELL_PLUGIN_EXAMPLE_CRM_FILE; unset: no sync), one line
per lead event, keyed by the outbox message's id: the event hooks are delivered at least
once (a failing call is retried with the same `envelope.message_id`), so a message already
in the file is not written again.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

# What cosell_startup learnt: the plugin's own name (its entry-point name, the `source` of
# its discount lines) and the CRM file, or None when the sync is off.
state: dict = {"name": "example", "crm_file": None}


def start(app_context) -> None:
    state["name"] = app_context.plugin_name
    crm_file = app_context.settings.get("crm_file")
    if crm_file is not None:
        crm_file.parent.mkdir(parents=True, exist_ok=True)
        crm_file.touch()  # fail at start-up, naming the plugin, when the file cannot be written
    state["crm_file"] = crm_file


def stop() -> None:
    state["crm_file"] = None


def synced_ids(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {json.loads(line)["message_id"] for line in path.read_text(encoding="utf-8").splitlines() if line}


def _append_once(path: Path, record: dict) -> bool:
    if record["message_id"] in synced_ids(path):
        return False  # a retry of a message already synced: nothing to do
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, sort_keys=True) + "\n")
    return True


async def sync_lead_event(envelope) -> None:
    """One CRM record per lead event, keyed by the message id (idempotent)."""
    path = state["crm_file"]
    if path is None:
        return
    record = {"message_id": envelope.message_id, "event": envelope.event, "lead": envelope.subject["id"],
              "company": envelope.subject["company"], "partner_id": envelope.partner_id,
              "at": envelope.occurred_at.isoformat(), "source": state["name"]}
    await asyncio.to_thread(_append_once, path, record)  # file I/O off the event loop
