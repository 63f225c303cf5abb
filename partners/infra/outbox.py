"""The outbox: side effects that happen if and only if a transaction commits.

Domain code never sends an email or fires a plugin event in the middle of a write. It
enqueues the side effect in the same transaction as the change:

    async with transaction():
        task = await CoSellTask(...).save()
        await outbox.enqueue("email", mail.email_payload(to, subject, text),
                             dedupe_key=f"task-assigned:{task.id}")

so the message exists exactly when the change committed. After commit a sender (the
server's background job in every instance, or `cosell outbox send`) claims due messages
with a lease (`partners.infra.leasing`), runs the handler registered for their kind, and marks
them SENT; a failure is retried with exponential backoff and the message is DEAD, with its
last error, after `max_attempts`.

What "never sends twice" means precisely:
- a message is claimed by one worker at a time (lease), and only the worker that holds the
  latest lease can mark it settled; a SENT or DEAD message is never claimed again;
- a delivery is started only with at least `delivery_timeout` of lease left and is cut off
  after `delivery_timeout`, so a live worker's lease never expires under a delivery;
- one window no outbox can close remains: the process dies (or loses the database) after
  the receiver accepted the message and before the row is marked SENT. The message is then
  delivered again after the lease expires. Every message has a stable `uid` for that case:
  the email Message-ID is built from it and the file delivery is keyed by it, so receivers
  (and `var/mail/`) see the same id twice and can drop the duplicate.

Secrets (an invitation's claim token) are not kept once delivered: `enqueue(...,
secrets={"token": token})` stores them apart from the payload (which names them only, e.g.
a placeholder in an email's text, `partners.infra.mail.secret_placeholder`), the handler
reads them from `Message.secrets`, and the statement that settles the message (SENT or
DEAD) scrubs them to `{"token": null}`. Retries before that still have them; a DEAD message
sent again (`retry_dead`) has them no more, and its handler fails it for good.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets as _random
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Mapping

from piccolo.query.functions.aggregate import Count, Min

from partners.infra import tracing
from partners.infra.db import current_engine
from partners.infra.leasing import claim, finish, release, utcnow
from partners.infra.metrics import OUTBOX_ATTEMPTS, OUTBOX_MESSAGES, OUTBOX_OLDEST_PENDING_SECONDS
from partners.infra.pacing import Pace
from partners.infra.tables import OutboxMessage, OutboxStatus

log = logging.getLogger("cosell.outbox")

MAX_ERROR_LENGTH = 2000


class OutboxError(RuntimeError):
    """The outbox was used wrongly (e.g. enqueue outside a transaction)."""


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help (e.g. the SMTP server refused the
    recipient for good): the message goes DEAD at once."""


@dataclass(frozen=True)
class Message:
    """What a handler receives: one claimed outbox message."""

    id: int
    uid: str
    kind: str
    payload: dict[str, Any]
    attempt: int  # 1 on the first delivery attempt
    dedupe_key: str | None
    created_at: datetime
    # The message's secrets by name; a name whose value is None was scrubbed when the
    # message settled (it was SENT or DEAD before).
    secrets: Mapping[str, str | None] = field(default_factory=dict)
    # The W3C traceparent of the span that enqueued it (None when tracing was off): its
    # delivery continues that trace (partners/infra/tracing.py).
    traceparent: str | None = None


Handler = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True)
class OutboxPolicy:
    batch: int = 50
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 8
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_max: timedelta = timedelta(hours=1)

    @property
    def delivery_timeout(self) -> timedelta:
        """How long one delivery may take; a quarter of the lease."""
        return self.lease / 4


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    released: int = 0  # claimed but given back untouched (lease too short to start)
    lost: int = 0  # delivered, but another worker had taken the row over meanwhile

    @property
    def claimed(self) -> int:
        return self.sent + self.retried + self.dead + self.released + self.lost

    def __bool__(self) -> bool:
        return self.claimed > 0

    def __iadd__(self, other: "DeliveryReport") -> "DeliveryReport":
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


async def enqueue(
    kind: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    deliver_at: datetime | None = None,
    secrets: Mapping[str, str] | None = None,
) -> int:
    """Add a message to the outbox inside the caller's `transaction()`; returns its id.

    With a `dedupe_key` already in the outbox (any status), nothing is added and the id
    of the existing message is returned. A dedupe key must never repeat for another
    message: never derive it from the id of a row that can be deleted (SQLite gives a
    deleted row's id to the next one), only from ids of rows that stay, or a random uid.

    `secrets` (name → value) go with the message until it settles, never into `payload`.
    """
    if current_engine().current_transaction.get() is None:
        raise OutboxError("outbox.enqueue() must run inside the transaction() of the change that causes it")
    if not kind:
        raise OutboxError("an outbox message needs a kind")
    now = utcnow()
    row = OutboxMessage(
        uid=_random.token_hex(16),
        kind=kind,
        payload=json.dumps(payload, sort_keys=True, default=str),
        secrets=json.dumps(dict(secrets), sort_keys=True) if secrets else None,
        dedupe_key=dedupe_key,
        status=OutboxStatus.PENDING.value,
        attempts=0,
        next_attempt_at=deliver_at or now,
        created_at=now,
        traceparent=tracing.traceparent(),
    )
    query = OutboxMessage.insert(row).returning(OutboxMessage.id)
    if dedupe_key is not None:
        query = query.on_conflict(target=OutboxMessage.dedupe_key, action="DO NOTHING")
    inserted = await query
    if inserted:
        return inserted[0]["id"]
    existing = await OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key).first()
    return existing["id"]


def backoff(attempt: int, policy: OutboxPolicy) -> timedelta:
    """Delay before the next attempt after failed attempt number `attempt` (1, 2, …)."""
    return min(policy.backoff_base * (2 ** (attempt - 1)), policy.backoff_max)


def _json(value) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _message(row: dict) -> Message:
    payload = row["payload"]
    return Message(
        id=row["id"],
        uid=row["uid"],
        kind=row["kind"],
        payload=json.loads(payload) if isinstance(payload, str) else payload,
        attempt=row["attempts"],
        dedupe_key=row["dedupe_key"],
        created_at=row["created_at"],
        secrets=_json(row.get("secrets")) or {},
        traceparent=row.get("traceparent"),
    )


def _scrubbed(message: Message) -> dict:
    """The column values that remove a settled message's secrets (none when it has none)."""
    if not message.secrets:
        return {}
    return {OutboxMessage.secrets: json.dumps({name: None for name in message.secrets}, sort_keys=True)}


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_LENGTH]


async def deliver_batch(
    handlers: Mapping[str, Handler],
    *,
    worker: str,
    policy: OutboxPolicy,
    now: datetime | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Claim up to `policy.batch` due messages and deliver them one by one.

    `now` is the time the outbox considers current (defaults to the clock); tests pass it
    to step through backoff delays. When `should_stop()` turns true (shutdown), the
    messages not started yet are released for another worker.
    """
    report = DeliveryReport()
    due = (OutboxMessage.status == OutboxStatus.PENDING.value) & (OutboxMessage.next_attempt_at <= (now or utcnow()))
    lease, rows = await claim(
        OutboxMessage,
        due=due,
        worker=worker,
        limit=policy.batch,
        lease_for=policy.lease,
        order_by=(OutboxMessage.next_attempt_at, OutboxMessage.id),
        also_set={OutboxMessage.attempts: OutboxMessage.attempts + 1},
        now=now,
    )
    timeout = policy.delivery_timeout.total_seconds()
    for index, row in enumerate(rows):
        if lease.remaining() < policy.delivery_timeout or (should_stop is not None and should_stop()):
            rest = [r["id"] for r in rows[index:]]
            not_attempted = {OutboxMessage.attempts: OutboxMessage.attempts - 1}
            report.released += await release(OutboxMessage, rest, lease, not_attempted)
            break
        message = _message(row)
        with _delivery_span(message) as span:
            if message.attempt > policy.max_attempts:
                # Claimed that often without an outcome: workers died or timed out on it.
                outcome = await _settle_failure(message, lease, policy, now, "gave up: no outcome after max attempts")
            else:
                outcome = await _deliver_one(handlers, message, lease, policy, now, timeout)
            span.set_attribute("cosell.outbox.outcome", outcome)
        setattr(report, outcome, getattr(report, outcome) + 1)
        OUTBOX_ATTEMPTS.labels(message.kind, _RESULTS[outcome]).inc()
    return report


# DeliveryReport field -> the `result` label of OUTBOX_ATTEMPTS ("lost": the handler ran, but
# another worker had taken the row over, so this attempt settled nothing).
_RESULTS = {"sent": "sent", "retried": "retry", "dead": "dead", "lost": "lost"}


def _delivery_span(message: Message):
    """The delivery's span: a child of the span that enqueued the message (its trace goes on
    from the request), linked to the sender's job run; else a child of the job run."""
    if not tracing.enabled():
        return tracing.NOOP
    parent = tracing.parent_from(message.traceparent)
    return tracing.span(f"outbox {message.kind}", {
        "cosell.outbox.kind": message.kind, "cosell.outbox.message_id": message.id,
        "cosell.outbox.attempt": message.attempt,
    }, kind=tracing.CONSUMER, parent=parent, links=tracing.link_to_current() if parent is not None else None)


async def _deliver_one(handlers, message: Message, lease, policy, now, timeout: float) -> str:
    handler = handlers.get(message.kind)
    try:
        if handler is None:
            raise PermanentFailure(f"no handler for outbox kind {message.kind!r}")
        await asyncio.wait_for(handler(message), timeout)
    except PermanentFailure as exc:
        return await _settle_failure(message, lease, policy, now, _error_text(exc), permanent=True)
    except Exception as exc:  # noqa: BLE001 - any failure of a handler is retried
        return await _settle_failure(message, lease, policy, now, _error_text(exc))
    settled = await finish(
        OutboxMessage,
        message.id,
        lease,
        {
            OutboxMessage.status: OutboxStatus.SENT.value,
            OutboxMessage.sent_at: now or utcnow(),
            OutboxMessage.next_attempt_at: None,
            OutboxMessage.last_error: "",
            **_scrubbed(message),
        },
    )
    if not settled:
        log.warning(
            "outbox message %s delivered after its lease was taken over; it may be delivered again",
            message.uid,
            extra={"outbox_id": message.id, "kind": message.kind},
        )
        return "lost"
    log.info("outbox message sent", extra={"outbox_id": message.id, "kind": message.kind, "attempt": message.attempt})
    return "sent"


async def _settle_failure(message: Message, lease, policy: OutboxPolicy, now, error: str, permanent: bool = False) -> str:
    dead = permanent or message.attempt >= policy.max_attempts
    if dead:
        values = {
            OutboxMessage.status: OutboxStatus.DEAD.value,
            OutboxMessage.next_attempt_at: None,
            OutboxMessage.last_error: error,
            **_scrubbed(message),
        }
    else:
        values = {
            OutboxMessage.next_attempt_at: (now or utcnow()) + backoff(message.attempt, policy),
            OutboxMessage.last_error: error,
        }
    if not await finish(OutboxMessage, message.id, lease, values):
        return "lost"
    extra = {"outbox_id": message.id, "kind": message.kind, "attempt": message.attempt, "error": error}
    if dead:
        log.error("outbox message is dead", extra=extra)
        return "dead"
    log.warning("outbox delivery failed; will retry", extra=extra)
    return "retried"


async def deliver_due(
    handlers: Mapping[str, Handler],
    *,
    worker: str,
    policy: OutboxPolicy,
    now: datetime | None = None,
    max_batches: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Deliver batches until nothing is due (or `max_batches` were claimed, or `should_stop()`),
    resting between them (`partners.infra.pacing`: a backlog leaves room for requests)."""
    total = DeliveryReport()
    batches = 0
    pace = Pace()
    while max_batches is None or batches < max_batches:
        if should_stop is not None and should_stop():
            break
        await pace.rest()
        report = await deliver_batch(handlers, worker=worker, policy=policy, now=now, should_stop=should_stop)
        batches += 1
        total += report
        if report.claimed == 0 or report.released:
            break
    return total


async def status_counts() -> dict[str, int]:
    rows = await OutboxMessage.select(OutboxMessage.status, Count(alias="n")).group_by(OutboxMessage.status)
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


# Kinds the gauges were ever set for in this process: a (kind, status) that has no row any
# more is set back to 0 rather than left at its last count.
_GAUGE_KINDS: set[str] = set()


async def refresh_outbox_gauges() -> None:
    """Set OUTBOX_MESSAGES (by kind and status) and OUTBOX_OLDEST_PENDING_SECONDS (age of
    the oldest PENDING message by `created_at`, 0 when none) from the table.

    Called by the `/metrics` handler at scrape time, not on every change: one statement
    (GROUP BY kind, status with the oldest `created_at` of each group). It reads the whole
    table, SENT rows included, so its cost grows with the outbox's history.
    """
    rows = await OutboxMessage.select(
        OutboxMessage.kind, OutboxMessage.status, Count(alias="n"), Min(OutboxMessage.created_at, alias="oldest")
    ).group_by(OutboxMessage.kind, OutboxMessage.status)
    counts = {(row["kind"], row["status"]): row["n"] for row in rows}
    _GAUGE_KINDS.update(kind for kind, _ in counts)
    for kind in _GAUGE_KINDS:
        for status in OutboxStatus:
            OUTBOX_MESSAGES.labels(kind, status.value).set(counts.get((kind, status.value), 0))
    pending = [_aware(row["oldest"]) for row in rows if row["status"] == OutboxStatus.PENDING.value and row["oldest"]]
    age = (utcnow() - min(pending)).total_seconds() if pending else 0.0
    OUTBOX_OLDEST_PENDING_SECONDS.set(max(age, 0.0))


def _aware(value: datetime | str) -> datetime:
    """An aggregate's timestamp as an aware datetime (SQLite may hand MIN() back as text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


async def retry_dead(ids: list[int] | None = None) -> int:
    """Make DEAD messages (all, or those of `ids`) due again with a fresh attempt count."""
    condition = OutboxMessage.status == OutboxStatus.DEAD.value
    if ids is not None:
        if not ids:
            return 0
        condition = condition & OutboxMessage.id.is_in(ids)
    rows = (
        await OutboxMessage.update(
            {
                OutboxMessage.status: OutboxStatus.PENDING.value,
                OutboxMessage.attempts: 0,
                OutboxMessage.next_attempt_at: utcnow(),
            }
        )
        .where(condition)
        .returning(OutboxMessage.id)
    )
    return len(rows)
