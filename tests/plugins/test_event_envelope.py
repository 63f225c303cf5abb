"""Issue 41: every event hook gets one typed `plugins.EventEnvelope` per outbox message: the
message id (stable across retries, so a CRM sync can be idempotent), event, time, the whole
payload (a COMMENTED case's comment, a RELEASED case's release) and the scope. Old
implementations taking `(event, subject)` keep working."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from partners.infra.tables import OutboxMessage
from plugins import EventEnvelope, hookimpl
from server.testing import GraphQLClient, global_id
from tests.schema.leads import ACCEPT_LEAD, COMMENT_ON_CASE, PICK_UP_CASE, ok, open_case, shared_lead
from tests.schema.program import DEACTIVATE, ok as ok_program
from tests.schema.registrations import approved, register
from tests.schema.sales import pk


class Crm:
    """An idempotent CRM sync, as docs/plugins.md shows it: the side effect is keyed by the
    message id, and the first delivery of every message fails once (a network error)."""

    def __init__(self) -> None:
        self.synced: dict[str, EventEnvelope] = {}
        self.attempts: list[tuple[str, int]] = []

    @hookimpl
    async def cosell_lead_event(self, envelope):
        await asyncio.sleep(0)
        self.attempts.append((envelope.message_id, envelope.attempt))
        if envelope.attempt == 1:
            raise ConnectionError("CRM unreachable")
        self.synced.setdefault(envelope.message_id, envelope)


class OldStyle:
    """Written before issue 41: asks for `event` and `lead` only."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl
    def cosell_lead_event(self, event, lead):
        self.seen.append(event)


async def _deliver_everything(client) -> None:
    """Run the outbox until nothing is due (a retry is made due at once, no waiting)."""
    for _ in range(5):
        await client.app.state.background.run_once()
        await OutboxMessage.update({OutboxMessage.next_attempt_at: datetime.now(timezone.utc) - timedelta(seconds=1)}
                                   ).where(OutboxMessage.status == "PENDING")


async def test_hook_cosell_lead_event_envelope_keeps_its_message_id_across_retries(cosell_app_factory, world):
    crm, old = Crm(), OldStyle()
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    async with cosell_app_factory(extra_plugins=[("crm", crm), ("old-style", old)]) as client:
        gql = GraphQLClient(client)
        lead = await shared_lead(gql, world)
        await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"])
        await _deliver_everything(client)
    messages = await OutboxMessage.select(OutboxMessage.uid, OutboxMessage.status, OutboxMessage.attempts).where(
        OutboxMessage.kind == "lead_event")
    uids = {m["uid"] for m in messages}
    assert {(m["status"], m["attempts"]) for m in messages} == {("SENT", 2)}
    # Each message was tried twice under the same id, and synced once.
    assert sorted(crm.attempts) == sorted([(uid, n) for uid in uids for n in (1, 2)])
    assert set(crm.synced) == uids
    accepted = next(e for e in crm.synced.values() if e.event == "ACCEPTED")
    assert accepted.kind == "lead_event" and accepted.subject["id"] == pk(lead["id"])
    assert accepted.subject["status"] == "ACCEPTED" and accepted.payload["lead"] == accepted.subject
    assert (accepted.partner_id, accepted.region) == (world.partners["alpha"], "AMER")
    assert accepted.occurred_at.tzinfo is not None and accepted.occurred_at >= before
    assert accepted.details == {"partner_id": world.partners["alpha"]}
    # The old signature still works (called on both attempts: the CRM failed the first).
    assert sorted(set(old.seen)) == ["ACCEPTED", "CREATED", "SHARED"]


class CaseSync:
    def __init__(self) -> None:
        self.envelopes: list[EventEnvelope] = []

    @hookimpl
    def cosell_case_event(self, event, case, envelope):
        assert envelope.event == event and envelope.subject == case
        self.envelopes.append(envelope)


async def test_hook_cosell_case_event_envelope_carries_the_comment_and_the_release(cosell_app_factory, world):
    sync = CaseSync()
    async with cosell_app_factory(extra_plugins=[("case-sync", sync)]) as client:
        gql = GraphQLClient(client)
        case = await open_case(gql, world)
        await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=case["id"])
        await ok(gql, world, COMMENT_ON_CASE, "advocate", key="comment", id=case["id"], body="On it")
        await ok_program(gql, DEACTIVATE, world.tokens["admin"], id=global_id("User", world.user_ids["advocate"]))
        await client.app.state.background.run_once()
    by_event = {e.event: e for e in sync.envelopes}
    assert list(by_event) == ["OPENED", "PICKED_UP", "COMMENTED", "RELEASED"]
    commented = by_event["COMMENTED"]
    assert commented.details["comment"]["body"] == "On it"
    assert commented.details["comment"]["author_id"] == world.user_ids["advocate"]
    released = by_event["RELEASED"]
    assert (released.details["released_from_id"], released.details["reason"]) == (
        world.user_ids["advocate"], "ADVOCATE_DEACTIVATED")
    assert released.subject["status"] == "OPEN"
    assert {e.partner_id for e in sync.envelopes} == {world.partners["alpha"]}
    assert {e.region for e in sync.envelopes} == {None}  # cases have no region
    assert len({e.message_id for e in sync.envelopes}) == 4


class RegistrationSync:
    def __init__(self) -> None:
        self.envelopes: list[EventEnvelope] = []

    @hookimpl
    def cosell_deal_registration_event(self, envelope):
        self.envelopes.append(envelope)


async def test_hook_cosell_deal_registration_event_envelope(cosell_app_factory, world):
    sync = RegistrationSync()
    async with cosell_app_factory(extra_plugins=[("registration-sync", sync)]) as client:
        gql = GraphQLClient(client)
        reg = await register(gql, world)
        await approved(gql, world, reg["id"])
        await client.app.state.background.run_once()
    approved_envelope = sync.envelopes[-1]
    assert approved_envelope.event == "APPROVED" and approved_envelope.kind == "deal_registration_event"
    assert approved_envelope.subject["id"] == pk(reg["id"]) and approved_envelope.subject["status"] == "APPROVED"
    assert (approved_envelope.partner_id, approved_envelope.region) == (world.partners["alpha"], "AMER")
    assert approved_envelope.details == {}
