"""`cosell_deal_registration_event`: plugins hear of registration changes after commit,
through the outbox, with plain data (D1, P4)."""

from plugins import hookimpl
from tests.schema.registrations import DENY, REGISTER, approved, call, deal_input, register
from tests.schema.sales import pk
from server.testing import GraphQLClient


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict]] = []

    @hookimpl
    def cosell_deal_registration_event(self, event, registration):
        self.events.append((event, registration))


async def test_hook_cosell_deal_registration_event_after_commit_with_a_snapshot(cosell_app_factory, world):
    recorder = Recorder()
    async with cosell_app_factory(extra_plugins=[("recorder", recorder)]) as client:
        gql = GraphQLClient(client)
        reg = await register(gql, world)
        refused = await call(gql, world, DENY, "cm_amer", id=reg["id"], reason="")
        assert refused["errors"]  # refused: nothing written, nothing announced
        assert recorder.events == [], "nothing is announced before the outbox delivers it"
        await approved(gql, world, reg["id"])
        await client.app.state.background.run_once()
    assert [event for event, _ in recorder.events] == [
        "SUBMITTED", "PENDING_SALES_REVIEW", "PENDING_MANAGER_REVIEW", "APPROVED"]
    event, snapshot = recorder.events[-1]
    assert snapshot["id"] == pk(reg["id"]) and snapshot["status"] == "APPROVED"
    assert snapshot["partner_id"] == world.partners["alpha"] and snapshot["products"] == ["ci-cd"]
    assert snapshot["opportunity_id"] and snapshot["expires_at"]


async def test_hook_cosell_deal_registration_event_is_not_called_for_a_refused_registration(cosell_app_factory, world):
    recorder = Recorder()
    async with cosell_app_factory(extra_plugins=[("recorder", recorder)]) as client:
        gql = GraphQLClient(client)
        payload = await call(gql, world, REGISTER, "alpha_user", **deal_input(seats=0))
        assert payload["errors"]
        await client.app.state.background.run_once()
    assert recorder.events == []
