"""Issue 16 item 8: a RETURNED registration may be denied, and one the partner never answers
is closed by the `returned-registrations` job, once, however many instances run (P4, D2)."""

import asyncio
from datetime import datetime, timedelta, timezone

from partners.infra.tables import OutboxMessage
from partners.registrations.expire import RETURN_LEASE, close_unanswered_returns, unanswered_return
from partners.registrations.tables import DealRegistration, DealRegistrationChange
from tests.schema.registrations import DENY, RESUBMIT, RETURN, call, ok, register
from tests.schema.sales import pk

VIEW = """query($id: ID!) { node(id: $id) { ... on DealRegistration { status replyDueAt reason conflicts { id }
  history { event fromStatus toStatus note } } } }"""


async def view(gql, world, token: str, reg_id: str) -> dict:
    return (await gql(VIEW, {"id": reg_id}, token=world.tokens[token]))["data"]["node"]


async def _lapse(reg_id: str) -> None:
    """The reply deadline has passed (a test cannot wait 14 days)."""
    await DealRegistration.update({DealRegistration.reply_due_at: datetime.now(timezone.utc) - timedelta(minutes=1)}
                                  ).where(DealRegistration.id == pk(reg_id))


async def test_p4_a_returned_registration_can_be_denied_and_stops_conflicting(gql, world):
    alpha = await register(gql, world, "alpha_user")
    beta = await register(gql, world, "beta_user")
    await ok(gql, world, RETURN, "cm_amer", id=beta["id"], reason="Which team is buying?")
    assert (await view(gql, world, "cm_amer", alpha["id"]))["conflicts"] == [{"id": beta["id"]}]
    refused = await gql(DENY, {"input": {"id": beta["id"], "reason": "x"}}, token=world.tokens["beta_user"],
                        errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    denied = await ok(gql, world, DENY, "cm_amer", id=beta["id"], reason="No answer; Alpha registered first")
    assert (denied["status"], denied["reason"]) == ("DENIED", "No answer; Alpha registered first")
    node = await view(gql, world, "beta_user", beta["id"])
    assert node["replyDueAt"] is None
    assert [(h["event"], h["fromStatus"]) for h in node["history"]][-1] == ("DENIED", "RETURNED")
    assert (await view(gql, world, "cm_amer", alpha["id"]))["conflicts"] == []
    # Denied is final: the partner can no longer answer the return.
    late = await call(gql, world, RESUBMIT, "beta_user", id=beta["id"], notes="Team X")
    assert (late["errors"][0]["code"], late["errors"][0]["rule"]) == ("INVALID_TRANSITION", "P4")


async def test_p4_an_unanswered_return_is_closed_by_the_background_job(gql, world, cosell_client):
    alpha = await register(gql, world, "alpha_user")
    beta = await register(gql, world, "beta_user")
    returned = await ok(gql, world, RETURN, "cm_amer", id=beta["id"], reason="Which team is buying?")
    reply_due = datetime.fromisoformat((await view(gql, world, "beta_user", returned["id"]))["replyDueAt"])
    assert reply_due - datetime.fromisoformat(returned["submittedAt"]) > timedelta(days=13)
    answered = await register(gql, world, "alpha_user", customer={"prospect": {"name": "Globex"}})
    await ok(gql, world, RETURN, "cm_amer", id=answered["id"], reason="Seats?")
    assert (await cosell_client.app.state.background.run_once())["returned-registrations"] == 0, "not due yet"
    await _lapse(beta["id"])
    await _lapse(answered["id"])
    resubmitted = await ok(gql, world, RESUBMIT, "alpha_user", id=answered["id"], seats=40)
    assert resubmitted["status"] == "SUBMITTED"
    assert (await view(gql, world, "alpha_user", answered["id"]))["replyDueAt"] is None
    events_before = await OutboxMessage.count()
    assert (await cosell_client.app.state.background.run_once())["returned-registrations"] == 1
    node = await view(gql, world, "beta_user", beta["id"])
    assert node["status"] == "CLOSED" and node["replyDueAt"] is None
    assert (node["history"][-1]["event"], node["history"][-1]["fromStatus"], node["history"][-1]["note"]) == (
        "CLOSED", "RETURNED", "Not resubmitted within 14 days of its return (P4).")
    assert await OutboxMessage.count() == events_before + 1  # one deal_registration_event
    assert (await view(gql, world, "cm_amer", alpha["id"]))["conflicts"] == [], "no longer a pending conflict (D2)"
    assert (await view(gql, world, "alpha_user", answered["id"]))["status"] == "SUBMITTED"
    late = await call(gql, world, RESUBMIT, "beta_user", id=beta["id"], notes="Sorry, team X")
    assert late["errors"][0]["rule"] == "P4"


async def test_p4_unanswered_returns_are_closed_once_across_instances(gql, world):
    ids = []
    for name in ("Acme", "Globex", "Initech", "Hooli", "Umbrella"):
        reg = await register(gql, world, "alpha_user", customer={"prospect": {"name": name}})
        await ok(gql, world, RETURN, "cm_amer", id=reg["id"], reason="More, please")
        await _lapse(reg["id"])
        ids.append(pk(reg["id"]))
    counts = await asyncio.gather(*(close_unanswered_returns(worker=w, batch=2) for w in "abcd"))
    assert sum(counts) == 5
    assert await DealRegistration.count().where(DealRegistration.status == "CLOSED") == 5
    assert await DealRegistrationChange.count().where(DealRegistrationChange.event == "CLOSED") == 5
    assert await DealRegistration.count().where(DealRegistration.lease_owner.is_not_null()) == 0
    assert sum(await asyncio.gather(*(close_unanswered_returns(worker=w) for w in "ab"))) == 0


async def test_p4_a_worker_whose_lease_was_taken_over_closes_nothing(gql, world):
    from partners.infra import leasing

    reg = await register(gql, world, "alpha_user")
    await ok(gql, world, RETURN, "cm_amer", id=reg["id"], reason="More, please")
    await _lapse(reg["id"])
    at = datetime.now(timezone.utc)
    lease, rows = await leasing.claim(DealRegistration, due=unanswered_return(at),
                                      worker="crashed", limit=10, lease_for=timedelta(minutes=2), now=at)
    assert [r["id"] for r in rows] == [pk(reg["id"])]
    assert await close_unanswered_returns(worker="b", at=at + timedelta(seconds=30)) == 0
    later = at + RETURN_LEASE + timedelta(seconds=1)
    assert await close_unanswered_returns(worker="b", at=later) == 1
    assert not await leasing.finish(DealRegistration, pk(reg["id"]), lease, {}), "the crashed worker's lease is gone"
    assert await DealRegistrationChange.count().where(DealRegistrationChange.event == "CLOSED") == 1
