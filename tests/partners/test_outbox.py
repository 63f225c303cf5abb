"""The outbox: a side effect exists iff its transaction committed, and is delivered once."""

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from partners.accounts.tables import Account
from partners.infra import leasing, outbox
from partners.infra.db import transaction
from partners.infra.errors import DomainError
from partners.infra.outbox import OutboxPolicy, deliver_due, enqueue
from partners.infra.tables import OutboxMessage
from plugins import hookimpl
from plugins.manager import get_plugin_manager

POLICY = OutboxPolicy(batch=10, max_attempts=3, backoff_base=timedelta(seconds=10))


async def _row(message_id: int) -> dict:
    return await OutboxMessage.select().where(OutboxMessage.id == message_id).first()


class Recorder:
    """A handler that records what it delivered."""

    def __init__(self, fail_times: int = 0) -> None:
        self.delivered: list[outbox.Message] = []
        self.fail_times = fail_times

    async def __call__(self, message: outbox.Message) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("receiver unavailable")
        self.delivered.append(message)


async def test_a_message_of_a_rolled_back_transaction_does_not_exist(cosell_client):
    with pytest.raises(DomainError):
        async with transaction():
            await Account(name="Rolled Back, Inc").save()
            await enqueue("email", {"to": ["a@example.com"]})
            raise DomainError.single("REFUSED", "Refused on purpose.")
    assert await OutboxMessage.count() == 0
    recorder = Recorder()
    assert (await deliver_due({"email": recorder}, worker="w", policy=POLICY)).claimed == 0


async def test_enqueue_outside_a_transaction_is_refused(cosell_client):
    with pytest.raises(outbox.OutboxError, match="inside the transaction"):
        await enqueue("email", {"to": ["a@example.com"]})


async def test_a_committed_message_is_delivered_once_and_marked_sent(cosell_client):
    async with transaction():
        message_id = await enqueue("note", {"text": "hello"})
    recorder = Recorder()
    report = await deliver_due({"note": recorder}, worker="w", policy=POLICY)
    assert (report.sent, report.claimed) == (1, 1)
    assert [(m.id, m.payload, m.attempt) for m in recorder.delivered] == [(message_id, {"text": "hello"}, 1)]
    row = await _row(message_id)
    assert row["status"] == "SENT" and row["sent_at"] is not None and row["next_attempt_at"] is None
    assert (await deliver_due({"note": recorder}, worker="w2", policy=POLICY)).claimed == 0
    assert len(recorder.delivered) == 1


async def test_a_dedupe_key_keeps_the_first_message(cosell_client):
    async with transaction():
        first = await enqueue("note", {"v": 1}, dedupe_key="task-assigned:7")
    async with transaction():
        second = await enqueue("note", {"v": 2}, dedupe_key="task-assigned:7")
        other = await enqueue("note", {"v": 3}, dedupe_key="task-assigned:8")
    assert second == first != other
    assert await OutboxMessage.count() == 2


async def test_a_failing_delivery_is_retried_with_backoff_then_dead(cosell_client):
    async with transaction():
        message_id = await enqueue("note", {})
    recorder = Recorder(fail_times=99)
    t0 = leasing.utcnow()

    report = await deliver_due({"note": recorder}, worker="w", policy=POLICY, now=t0)
    assert report.retried == 1
    row = await _row(message_id)
    assert row["attempts"] == 1 and row["status"] == "PENDING"
    assert row["next_attempt_at"] == t0 + timedelta(seconds=10)
    assert row["last_error"] == "ConnectionError: receiver unavailable"
    assert row["lease_owner"] is None

    # Not due before its backoff has passed.
    assert (await deliver_due({"note": recorder}, worker="w", policy=POLICY, now=t0 + timedelta(seconds=9))).claimed == 0

    t1 = t0 + timedelta(seconds=10)
    assert (await deliver_due({"note": recorder}, worker="w", policy=POLICY, now=t1)).retried == 1
    assert (await _row(message_id))["next_attempt_at"] == t1 + timedelta(seconds=20)  # doubled

    t2 = t1 + timedelta(seconds=20)
    assert (await deliver_due({"note": recorder}, worker="w", policy=POLICY, now=t2)).dead == 1
    row = await _row(message_id)
    assert row["status"] == "DEAD" and row["attempts"] == 3 and row["next_attempt_at"] is None
    assert "receiver unavailable" in row["last_error"]
    far = t2 + timedelta(days=1)
    assert (await deliver_due({"note": recorder}, worker="w", policy=POLICY, now=far)).claimed == 0
    assert recorder.delivered == []


async def test_secrets_go_with_each_attempt_and_are_scrubbed_once_the_message_settles(cosell_client):
    """Issue 33 (7): a secret is kept apart from the payload, handed to every attempt, and
    removed by the statement that marks the message SENT or DEAD."""
    async with transaction():
        sent_id = await enqueue("note", {"to": "a"}, secrets={"token": "s3cret-sent"})
        dead_id = await enqueue("dead", {"to": "b"}, secrets={"token": "s3cret-dead"})
    recorder, failing = Recorder(fail_times=1), Recorder(fail_times=99)
    t0 = leasing.utcnow()
    await deliver_due({"note": recorder, "dead": failing}, worker="w", policy=POLICY, now=t0)
    assert "s3cret-sent" in str(await _row(sent_id)), "a retry still needs it"
    for day in range(1, POLICY.max_attempts + 1):
        await deliver_due({"note": recorder, "dead": failing}, worker="w", policy=POLICY, now=t0 + timedelta(days=day))
    assert [m.secrets for m in recorder.delivered] == [{"token": "s3cret-sent"}]
    assert [(await _row(i))["status"] for i in (sent_id, dead_id)] == ["SENT", "DEAD"]
    rows = str(await OutboxMessage.select())
    assert "s3cret" not in rows and "csi_" not in rows
    assert outbox._message(await _row(sent_id)).secrets == {"token": None}  # named, not kept


async def test_backoff_is_capped():
    policy = OutboxPolicy(backoff_base=timedelta(seconds=30), backoff_max=timedelta(minutes=10))
    assert [outbox.backoff(n, policy).total_seconds() for n in (1, 2, 3, 5, 6, 20)] == [30, 60, 120, 480, 600, 600]


async def test_a_delivery_that_recovers_is_sent_once(cosell_client):
    async with transaction():
        message_id = await enqueue("note", {})
    recorder = Recorder(fail_times=1)
    t0 = leasing.utcnow()
    await deliver_due({"note": recorder}, worker="w", policy=POLICY, now=t0)
    report = await deliver_due({"note": recorder}, worker="w", policy=POLICY, now=t0 + timedelta(seconds=10))
    assert report.sent == 1
    assert [m.attempt for m in recorder.delivered] == [2]
    row = await _row(message_id)
    assert row["status"] == "SENT" and row["last_error"] == ""


async def test_a_kind_without_a_handler_is_dead_at_once(cosell_client):
    async with transaction():
        message_id = await enqueue("nobody-handles-this", {})
    report = await deliver_due({}, worker="w", policy=POLICY)
    assert report.dead == 1
    assert "no handler for outbox kind 'nobody-handles-this'" in (await _row(message_id))["last_error"]


async def test_a_worker_that_crashed_mid_delivery_is_replaced_after_its_lease(cosell_client):
    async with transaction():
        message_id = await enqueue("note", {})
    t0 = leasing.utcnow()
    # A worker claims the message and dies without settling it.
    await leasing.claim(OutboxMessage, due=OutboxMessage.id == message_id, worker="crashed", limit=1,
                        lease_for=POLICY.lease, also_set={OutboxMessage.attempts: OutboxMessage.attempts + 1}, now=t0)
    recorder = Recorder()
    assert (await deliver_due({"note": recorder}, worker="w", policy=POLICY, now=t0 + timedelta(minutes=1))).claimed == 0
    report = await deliver_due({"note": recorder}, worker="w", policy=POLICY, now=t0 + POLICY.lease)
    assert report.sent == 1
    assert [m.attempt for m in recorder.delivered] == [2]


async def test_concurrent_senders_deliver_each_message_exactly_once(cosell_client):
    count = 120
    async with transaction():
        ids = [await enqueue("note", {"n": n}) for n in range(count)]
    delivered: Counter[int] = Counter()

    async def handler(message: outbox.Message) -> None:
        delivered[message.id] += 1
        await asyncio.sleep(0)  # let the other senders run between deliveries

    policy = OutboxPolicy(batch=7)
    reports = await asyncio.gather(
        *(deliver_due({"note": handler}, worker=f"w{n}", policy=policy) for n in range(4))
    )
    assert sum(r.sent for r in reports) == count
    assert delivered == Counter({message_id: 1 for message_id in ids})
    assert await OutboxMessage.count().where(OutboxMessage.status == "SENT") == count


class RegistrationEvents:
    """A throwaway plugin that records the events it is told about."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict]] = []

    @hookimpl
    def cosell_deal_registration_event(self, event, registration):
        if registration.get("explode"):
            raise ValueError("plugin bug")
        self.seen.append((event, registration))


async def test_plugin_events_are_called_after_commit_through_the_outbox(cosell_client):
    plugin = RegistrationEvents()
    pm = get_plugin_manager(extra_plugins=[("registration-events", plugin)])

    async def registration_event(message: outbox.Message) -> None:
        pm.hook.cosell_deal_registration_event(event=message.payload["event"], registration=message.payload["registration"])

    handlers = {"deal_registration_event": registration_event}
    async with transaction():
        await enqueue("deal_registration_event", {"event": "APPROVED", "registration": {"id": 1}})
        bad = await enqueue("deal_registration_event", {"event": "APPROVED", "registration": {"explode": True}})
    assert plugin.seen == []
    report = await deliver_due(handlers, worker="w", policy=POLICY)
    assert (report.sent, report.retried) == (1, 1)
    assert plugin.seen == [("APPROVED", {"id": 1})]
    error = (await _row(bad))["last_error"]
    assert "registration-events" in error and "plugin bug" in error


async def test_a_sender_asked_to_stop_releases_what_it_has_not_started(cosell_client):
    async with transaction():
        ids = [await enqueue("note", {"n": n}) for n in range(5)]
    recorder = Recorder()
    report = await deliver_due({"note": recorder}, worker="w", policy=POLICY,
                               should_stop=lambda: len(recorder.delivered) >= 2)
    assert (report.sent, report.released) == (2, 3)
    # The released messages are free for the next sender at once.
    report = await deliver_due({"note": recorder}, worker="w2", policy=POLICY)
    assert report.sent == 3
    assert sorted(m.id for m in recorder.delivered) == ids
    assert [m.attempt for m in recorder.delivered] == [1] * 5  # a release is not an attempt


async def test_a_message_that_keeps_killing_its_sender_ends_dead(cosell_client):
    async with transaction():
        message_id = await enqueue("note", {})
    t = leasing.utcnow()
    for _ in range(POLICY.max_attempts):  # each sender dies holding the lease
        await leasing.claim(OutboxMessage, due=OutboxMessage.id == message_id, worker="doomed", limit=1,
                            lease_for=POLICY.lease, also_set={OutboxMessage.attempts: OutboxMessage.attempts + 1}, now=t)
        t += POLICY.lease
    recorder = Recorder()
    report = await deliver_due({"note": recorder}, worker="w", policy=POLICY, now=t)
    assert report.dead == 1 and recorder.delivered == []
    row = await _row(message_id)
    assert row["status"] == "DEAD" and "gave up" in row["last_error"]
