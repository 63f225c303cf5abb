"""The plumbing's own tables: outbox, audit log, idempotency keys, cost budgets."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import JSON, BigInt, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class OutboxStatus(str, Enum):
    """An outbox message: waiting (or being retried), delivered, or given up on."""

    PENDING = "PENDING"
    SENT = "SENT"
    DEAD = "DEAD"


class OutboxMessage(Table, tablename="outbox_message"):
    """A side effect (email, plugin event …) written in the same transaction as the change
    that causes it and delivered after commit by `partners.infra.outbox`. Leased rows
    (`leased_until`, `lease_owner`) follow `partners.infra.leasing`."""

    # Stable public id: the email Message-ID and what receivers deduplicate on.
    uid = Varchar(length=32, unique=True)
    kind = Varchar(length=64)
    payload = JSON()
    # Values the delivery needs but nobody should read afterwards (an invitation token),
    # by name: {"token": "csi_…"}. Kept apart from `payload`, which only names them (a
    # placeholder in the email text), and scrubbed to {"token": null} once the message
    # settles (SENT or DEAD). NULL for messages without secrets.
    secrets = JSON(null=True, default=None)
    # Enqueueing twice with the same key keeps the first message only.
    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)
    status = Varchar(length=16, choices=OutboxStatus, default=OutboxStatus.PENDING)
    attempts = Integer(default=0)
    # When a PENDING message is due; NULL once settled (SENT, DEAD), so the index holds
    # only the work still to do.
    next_attempt_at = Timestamptz(null=True, default=None, index=True)
    leased_until = Timestamptz(null=True, default=None)
    lease_owner = Varchar(length=120, null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    # The W3C `traceparent` of the span that enqueued the message, so that its delivery
    # continues the request's trace (issue 42, partners/infra/tracing.py); NULL when
    # tracing was off.
    traceparent = Varchar(length=64, null=True, default=None)


class AuditEntry(Table, tablename="audit_log"):
    """One executed (or refused) mutation. Append-only: no code path updates or deletes."""

    occurred_at = Timestamptz()
    # No foreign key: the log outlives the users it mentions.
    actor_user_id = Integer(null=True, default=None, index=True)
    actor = Varchar(length=254, default="")
    actor_role = Varchar(length=32, default="")
    mutation = Varchar(length=100, index=True)
    input_summary = Text(default="")
    # OK, USER_ERROR (payload errors), REFUSED (authorization, limits), INTERNAL_ERROR.
    result = Varchar(length=16)
    error_codes = Varchar(length=500, default="")
    request_id = Varchar(length=64, default="")


class AuditTarget(Table, tablename="audit_target"):
    """An object an audit row names (issue 34): a global id in the call's input, or a node in
    its result (and the partner that node belongs to). Append-only, as the log it indexes."""

    entry = Integer(index=True)  # audit_log.id; no foreign key, as the log's own columns
    target_type = Varchar(length=60)  # the GraphQL Node type, e.g. Partner, User
    target_key = BigInt(index=True)  # the row id within that type


class IdempotencyKey(Table, tablename="idempotency_key"):
    """A mutation request's Idempotency-Key and the response it produced."""

    # principal + ":" + sha256(key): one unique column is the "unique (principal, key)".
    scope_key = Varchar(length=120, unique=True)
    request_hash = Varchar(length=64)
    # IN_PROGRESS while the first request runs, then DONE with the stored response.
    status = Varchar(length=16)
    response_status = Integer(default=0)
    response_body = Text(default="")
    # Unix seconds: compared in SQL the same way on both engines.
    locked_until = BigInt()
    expires_at = BigInt(index=True)


class CostBudget(Table, tablename="cost_budget"):
    """Query cost spent per principal per one-minute window (shared by all instances)."""

    # principal + ":" + window start.
    bucket = Varchar(length=120, unique=True)
    principal = Varchar(length=64, index=True)
    window_start = BigInt()
    used = Integer(default=0)
