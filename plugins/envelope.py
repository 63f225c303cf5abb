"""What an event hook receives besides the old `(event, subject)` pair: one typed envelope
per outbox message (issue 41).

The event hooks (`cosell_deal_registration_event`, `cosell_lead_event`, `cosell_case_event`)
are called after commit by the outbox, which retries a message whose hook raised. The
envelope's `message_id` is the outbox message's uid: the same on every attempt of the
message, different for every other message, so a plugin keys its side effect on it
(an idempotent CRM sync, docs/plugins.md).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

# outbox kind -> (the payload key of the record the event is about, the hook's name for it)
SUBJECTS = {
    "deal_registration_event": "registration",
    "lead_event": "lead",
    "case_event": "case",
    "opportunity_event": "opportunity",
}


@dataclass(frozen=True)
class EventEnvelope:
    """One committed change, as every event hook implementation sees it. Read-only: do not
    modify its mappings (every implementation of the message gets the same envelope).

    - `message_id`: the outbox message's uid (32 hex characters), stable across retries.
    - `kind`: the outbox kind, `deal_registration_event`, `lead_event` or `case_event`.
    - `event`: the event's name (`APPROVED`, `SHARED`, `COMMENTED` … per hook, docs/plugins.md).
    - `occurred_at`: when the change committed (the message was enqueued in its transaction),
      an aware `datetime` in UTC.
    - `attempt`: 1 on the first delivery, 2 on the first retry …
    - `subject`: the record after the change, the plain dict the hook's second argument
      carries (`registration`, `lead` or `case`).
    - `details`: everything else the message carries: a COMMENTED case's `comment` (`id`,
      `author_id`, `body`, `internal`), a RELEASED case's `released_from_id` and `reason`, an
      ATTACHED case's `attachment`, a REOPENED case's `reason`, a lead event's `partner_id` …
    - `payload`: the whole message payload (`event`, the subject under its key, the details),
      the data the partner webhooks are built from.
    - `partner_id`: whose event it is (the partner a rejected or recalled lead was taken
      from, too), or None (a lead not shared yet, a case opened by an employee).
    - `region`: the record's region (`AMER`, `EMEA`, `APJ`: a registration's, a lead's), or
      None (cases have no region).
    """

    message_id: str
    kind: str
    event: str
    occurred_at: datetime
    attempt: int
    subject: Mapping[str, Any]
    details: Mapping[str, Any] = field(default_factory=dict)
    payload: Mapping[str, Any] = field(default_factory=dict)
    partner_id: int | None = None
    region: str | None = None


def envelope_of(message: Any) -> EventEnvelope:
    """The envelope of an outbox message (`partners.infra.outbox.Message`) of one of the
    event kinds of `SUBJECTS`; the payload is copied, so a plugin cannot change the stored one."""
    payload = copy.deepcopy(dict(message.payload))
    key = SUBJECTS[message.kind]
    subject = payload.get(key) or {}
    details = {name: value for name, value in payload.items() if name not in ("event", key)}
    partner_id = details.get("partner_id", subject.get("partner_id"))
    return EventEnvelope(
        message_id=message.uid,
        kind=message.kind,
        event=payload["event"],
        occurred_at=_utc(message.created_at),
        attempt=message.attempt,
        subject=subject,
        details=details,
        payload=payload,
        partner_id=partner_id,
        region=subject.get("region"),
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
