"""Issue 33 item 8: a lead does not carry its previous partner's links (P11). What a partner
linked the lead to (its registration, an opportunity it is on) goes with its share: a recall
(a denial's, P1, or a deadline's) or a rejection clears it, and so does a new share. The
next partner's webhook events and the API show the lead without them; the lead's history
keeps them for staff. Everything through GraphQL and the app's own outbox handlers, with
real HTTP receivers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from partners.leads.deadlines import recall_due_leads
from server.testing import GraphQLClient
from tests.schema.leads import ACCEPT_LEAD, SHARE_LEAD, ok, shared_lead
from tests.schema.program import DENY, ok as program_ok
from tests.schema.registrations import register
from tests.schema.webhooks import Receiver, create_endpoint, deliver, gid, partner_admins

LEAD = """query($id: ID!) { node(id: $id) { ... on Lead { status dealRegistration { id } opportunity { id }
  history { event dealRegistration { id } opportunity { id } } } } }"""


@pytest.fixture
async def client(cosell_app_factory):
    # Local receivers live on 127.0.0.1, which production refuses (COSELL_WEBHOOK_ALLOW_PRIVATE).
    async with cosell_app_factory(webhook_allow_private=True) as client:
        yield client


@pytest.fixture
async def api(client, world) -> GraphQLClient:
    await partner_admins(world)
    return GraphQLClient(client)


async def read(api, world, token: str, lead_id: str) -> dict | None:
    return (await api(LEAD, {"id": lead_id}, token=world.tokens[token]))["data"]["node"]


def links(history: list[dict]) -> list[tuple]:
    return [(h["event"], (h["dealRegistration"] or {}).get("id"), (h["opportunity"] or {}).get("id"))
            for h in history]


async def test_p11_a_lead_shared_again_after_a_denial_carries_none_of_the_denied_partners_links(api, client, world):
    with Receiver() as receiver:
        await create_endpoint(api, world, "alpha_admin", receiver.url("/alpha"), ["LEAD"])
        await create_endpoint(api, world, "beta_admin", receiver.url("/beta"), ["LEAD"])
        lead = await shared_lead(api, world, "alpha", company="Initrode")
        registration = await register(api, world)  # alpha's own
        accepted = await ok(api, world, ACCEPT_LEAD, "alpha_user", id=lead["id"], dealRegistrationId=registration["id"])
        assert accepted["dealRegistration"] == {"id": registration["id"]}

        # Alpha is denied (P1): the lead is recalled, and its link goes with alpha's share.
        await program_ok(api, DENY, world.tokens["cm_amer"], id=gid("Partner", world.partners["alpha"]),
                         reason="Left the program")
        recalled = await read(api, world, "cm_amer", lead["id"])
        assert (recalled["status"], recalled["dealRegistration"], recalled["opportunity"]) == ("NEW", None, None)

        shared = await ok(api, world, SHARE_LEAD, "cm_amer", id=lead["id"], partnerId=gid("Partner", world.partners["beta"]))
        assert (shared["dealRegistration"], shared["opportunity"]) == (None, None)
        await deliver(client)

        # Beta's endpoint hears of its share only, without alpha's registration.
        (beta_event,) = [r for r in receiver.requests if r.path == "/beta"]
        assert beta_event.json["type"] == "lead.shared"
        assert beta_event.json["data"]["lead"]["dealRegistrationId"] is None
        assert registration["id"] not in beta_event.body.decode()
        # Alpha's heard of its own link while it held the lead, and of the recall without it.
        alpha = {r.json["type"]: r.json["data"]["lead"] for r in receiver.requests if r.path == "/alpha"}
        assert list(alpha) == ["lead.shared", "lead.accepted", "lead.recalled"]
        assert alpha["lead.accepted"]["dealRegistrationId"] == registration["id"]
        assert alpha["lead.recalled"]["dealRegistrationId"] is None

    # Staff: the lead beta holds shows no link; its history keeps alpha's.
    staff = await read(api, world, "cm_amer", lead["id"])
    assert (staff["dealRegistration"], staff["opportunity"]) == (None, None)
    assert links(staff["history"]) == [("CREATED", None, None), ("SHARED", None, None),
                                       ("ACCEPTED", registration["id"], None),
                                       ("RECALLED", registration["id"], None), ("SHARED", None, None)]
    # Beta reads the lead and its own share's history, and nothing of alpha's.
    beta = await read(api, world, "beta_user", lead["id"])
    assert (beta["dealRegistration"], links(beta["history"])) == (None, [("SHARED", None, None)])


async def test_p11_a_deadline_recall_clears_the_links_too(api, client, world):
    lead = await shared_lead(api, world, "alpha", company="Vandelay")
    registration = await register(api, world)
    await ok(api, world, ACCEPT_LEAD, "alpha_user", id=lead["id"], dealRegistrationId=registration["id"])
    due = datetime.fromisoformat(lead["actionDueAt"])
    assert await recall_due_leads(worker="test", at=due + timedelta(minutes=1)) == 1  # P11: no action in time

    staff = await read(api, world, "cm_amer", lead["id"])
    assert (staff["status"], staff["dealRegistration"]) == ("NEW", None)
    assert links(staff["history"])[-1] == ("RECALLED", registration["id"], None)
