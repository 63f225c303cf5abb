"""The lead (P11) and case (D9) hooks: the partner choice (firstresult, the database choice
as the trylast built-in) and the events plugins hear after commit, through the outbox."""

from __future__ import annotations

from partners.leads.choice import PartnerChoice
from partners.people.enums import Region
from plugins import hookimpl
from server.testing import GraphQLClient, global_id, make_partner
from tests.schema.leads import (
    ACCEPT_LEAD,
    COMMENT_ON_CASE,
    PICK_UP_CASE,
    REJECT_LEAD,
    SHARE_LEAD,
    call,
    create_lead,
    ok,
    open_case,
    shared_lead,
)
from tests.schema.sales import pk


class Territories:
    """Leads from Canada go to the partner that owns the Canadian territory."""

    def __init__(self, owner: int) -> None:
        self.owner = owner
        self.asked: list[tuple[dict, list]] = []

    @hookimpl
    def cosell_lead_partner(self, lead, candidates):
        self.asked.append((lead, candidates))
        if lead["country"] != "CA":
            return None
        return PartnerChoice(self.owner, "owns the Canadian territory")


async def test_hook_cosell_lead_partner_a_plugin_chooses_by_territory(cosell_app_factory, world):
    canada = await make_partner("Maple Partners", nickname="MAPLE", country="CA")
    territories = Territories(canada)
    async with cosell_app_factory(extra_plugins=[("territories", territories)]) as client:
        gql = GraphQLClient(client)
        lead = await create_lead(gql, world, country="CA")
        shared = await ok(gql, world, SHARE_LEAD, "cm_amer", id=lead["id"])
        assert shared["partner"]["name"] == "Maple Partners"
        assert shared["history"][-1] == {"event": "SHARED", "note": "owns the Canadian territory"}
        (asked_lead, candidates), = territories.asked
        assert asked_lead["company"] == "Initech" and {c.partner_id for c in candidates} == {
            world.partners["alpha"], canada}  # AUTHORIZED partners of AMER (P1); beta is EMEA

        # Not Canada: the plugin passes and the built-in database choice answers.
        other = await create_lead(gql, world, country="US", company="Hooli")
        chosen = await ok(gql, world, SHARE_LEAD, "cm_amer", id=other["id"])
        assert chosen["partner"]["name"] == "Alpha Resellers"  # serves the US, fewest open leads


async def test_hook_cosell_lead_partner_the_database_choice_prefers_the_country_then_fewest_leads(gql, world):
    await make_partner("Another US Reseller", nickname="AUS")
    first = await create_lead(gql, world)
    assert (await ok(gql, world, SHARE_LEAD, "cm_amer", id=first["id"]))["partner"]["name"] == "Alpha Resellers"
    second = await create_lead(gql, world, company="Hooli")
    # Alpha now has an open lead: the other US reseller has fewer.
    assert (await ok(gql, world, SHARE_LEAD, "cm_amer", id=second["id"]))["partner"]["name"] == "Another US Reseller"
    nobody = await create_lead(gql, world, region="LATAM", country="BR", company="Lonely")
    payload = await call(gql, world, SHARE_LEAD, "admin", id=nobody["id"])
    assert [(e["code"], e["field"], e["rule"]) for e in payload["errors"]] == [
        ("NO_PARTNER_FOUND", ["partnerId"], "P11")]


class WrongChoice:
    @hookimpl
    def cosell_lead_partner(self, lead, candidates):
        return PartnerChoice(999999, "not a candidate")


async def test_hook_cosell_lead_partner_a_choice_outside_the_candidates_fails_and_writes_nothing(
        cosell_app_factory, world):
    async with cosell_app_factory(extra_plugins=[("wrong", WrongChoice())]) as client:
        gql = GraphQLClient(client)
        lead = await create_lead(gql, world)
        body = await gql(SHARE_LEAD, {"input": {"id": lead["id"]}}, token=world.tokens["cm_amer"], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        node = await gql("query($id: ID!) { node(id: $id) { ... on Lead { status version } } }", {"id": lead["id"]},
                         token=world.tokens["cm_amer"])
        assert node["data"]["node"] == {"status": "NEW", "version": 1}


class Recorder:
    def __init__(self) -> None:
        self.leads: list[tuple[str, dict]] = []
        self.cases: list[tuple[str, dict]] = []

    @hookimpl
    def cosell_lead_event(self, event, lead):
        self.leads.append((event, lead))

    @hookimpl
    def cosell_case_event(self, event, case):
        self.cases.append((event, case))


async def test_hook_cosell_lead_event_after_commit_with_a_snapshot(cosell_app_factory, world):
    recorder = Recorder()
    async with cosell_app_factory(extra_plugins=[("recorder", recorder)]) as client:
        gql = GraphQLClient(client)
        lead = await shared_lead(gql, world)
        refused = await call(gql, world, REJECT_LEAD, "alpha_user", id=lead["id"], reason="")
        assert refused["errors"]  # refused: nothing written, nothing announced
        assert recorder.leads == [], "nothing is announced before the outbox delivers it"
        await ok(gql, world, ACCEPT_LEAD, "alpha_user", id=lead["id"])
        await client.app.state.background.run_once()
    assert [event for event, _ in recorder.leads] == ["CREATED", "SHARED", "ACCEPTED"]
    event, snapshot = recorder.leads[-1]
    assert snapshot["id"] == pk(lead["id"]) and snapshot["status"] == "ACCEPTED"
    assert snapshot["partner_id"] == world.partners["alpha"] and snapshot["region"] == Region.AMER.value
    assert snapshot["accept_due_at"] and snapshot["accepted_at"]


async def test_hook_cosell_case_event_after_commit_with_a_snapshot(cosell_app_factory, world):
    recorder = Recorder()
    async with cosell_app_factory(extra_plugins=[("recorder", recorder)]) as client:
        gql = GraphQLClient(client)
        case = await open_case(gql, world)
        await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=case["id"])
        await ok(gql, world, COMMENT_ON_CASE, "advocate", key="comment", id=case["id"], body="On it")
        await client.app.state.background.run_once()
    assert [event for event, _ in recorder.cases] == ["OPENED", "PICKED_UP", "COMMENTED"]
    _, snapshot = recorder.cases[1]
    assert snapshot["id"] == pk(case["id"]) and snapshot["status"] == "IN_PROGRESS"
    assert snapshot["advocate_id"] == world.user_ids["advocate"] and snapshot["subject"].startswith("Partner Opp")
    assert global_id("Case", snapshot["id"]) == case["id"]
