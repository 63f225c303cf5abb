"""Issue 41: `async def` hook implementations are awaited by the host for every hook that may
do I/O (lead partner, discount, validation, events), under COSELL_PLUGIN_TIMEOUT_MS; an async
implementation of a synchronous-only hook is refused at start-up, naming plugin and hook."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

import pytest

from partners.discounts import DiscountLine
from partners.enums import DiscountLineKind, Region
from partners.errors import Violation
from partners.leads.choice import PartnerChoice
from partners.leads.tables import Lead
from plugins import hookimpl
from plugins.manager import PluginError, PluginFailure, get_plugin_manager
from server.testing import GraphQLClient, make_partner
from tests.plugins.test_discount_hook import _registered_deal
from tests.schema.discounts import quote
from tests.schema.leads import SHARE_LEAD, create_lead, ok
from tests.schema.sales import CREATE_OPPORTUNITY, create_account, pk


class AsyncTerritories:
    """A lead router asking a (pretend) territory service over the network."""

    def __init__(self, owner: int) -> None:
        self.owner = owner
        self.asked: list[tuple[dict, list]] = []

    @hookimpl
    async def cosell_lead_partner(self, lead, candidates):
        await asyncio.sleep(0)  # the I/O
        self.asked.append((lead, candidates))
        if lead["country"] != "CA":
            return None
        return PartnerChoice(self.owner, "the territory service says so")


async def test_hook_cosell_lead_partner_async_is_awaited(cosell_app_factory, world):
    canada = await make_partner("Maple Partners", nickname="MAPLE", country="CA")
    territories = AsyncTerritories(canada)
    async with cosell_app_factory(extra_plugins=[("territories", territories)]) as client:
        gql = GraphQLClient(client)
        lead = await create_lead(gql, world, country="CA")
        shared = await ok(gql, world, SHARE_LEAD, "cm_amer", id=lead["id"])
        assert shared["partner"]["name"] == "Maple Partners"
        assert shared["history"][-1] == {"event": "SHARED", "note": "the territory service says so"}
        # Passing (None) from an async implementation lets the built-in choose.
        other = await create_lead(gql, world, country="US", company="Hooli")
        assert (await ok(gql, world, SHARE_LEAD, "cm_amer", id=other["id"]))["partner"]["name"] == "Alpha Resellers"
    # Types (issue 41): the lead is a plain dict of JSON values, its region a string; a
    # candidate's region is a `Region` (a str enum: it equals its string too).
    lead_seen, candidates = territories.asked[0]
    assert lead_seen["region"] == "AMER" and type(lead_seen["region"]) is str
    assert {c.region for c in candidates} == {Region.AMER} and candidates[0].region == "AMER"


class SlowTerritories:
    @hookimpl
    async def cosell_lead_partner(self, lead, candidates):
        await asyncio.sleep(30)
        return PartnerChoice(candidates[0].partner_id, "too late")


async def test_a_slow_async_lead_partner_is_cancelled_at_the_limit_and_the_share_writes_nothing(
        cosell_app_factory, world, caplog):
    async with cosell_app_factory(extra_plugins=[("slow-territories", SlowTerritories())],
                                  plugin_timeout_ms=50) as client:
        gql = GraphQLClient(client)
        lead = await create_lead(gql, world)
        with caplog.at_level(logging.ERROR):
            body = await gql(SHARE_LEAD, {"input": {"id": lead["id"]}}, token=world.tokens["cm_amer"], errors=True)
    assert body["data"] is None or body["data"]["shareLead"] is None
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "Plugin 'slow-territories' failed in cosell_lead_partner: PluginTooSlow" in caplog.text
    row = await Lead.select(Lead.status, Lead.partner).where(Lead.id == pk(lead["id"])).first()
    assert row == {"status": "NEW", "partner": None}


class AsyncBannedWords:
    """A rule asking a compliance service whether an opportunity name is allowed."""

    @hookimpl
    async def cosell_validate_opportunity(self, opportunity, context):
        await asyncio.sleep(0)
        if "forbidden" in opportunity.name.lower():
            return [Violation("BANNED_WORD", "The compliance service refuses this name.", ("name",), "ACME2")]
        return None


async def test_hook_cosell_validate_opportunity_async_violations_are_user_errors(cosell_app_factory, world):
    async with cosell_app_factory(extra_plugins=[("compliance", AsyncBannedWords())]) as client:
        gql = GraphQLClient(client)
        account = await create_account(gql, world)
        values = {"accountId": account, "name": "Forbidden deal", "amount": 1000.0, "netArr": 1000.0}
        body = await gql(CREATE_OPPORTUNITY, {"input": values}, token=world.tokens["ae"])
        payload = body["data"]["createOpportunity"]
        assert payload["opportunity"] is None
        assert [(e["code"], e["field"], e["rule"]) for e in payload["errors"]] == [("BANNED_WORD", ["name"], "ACME2")]
        fine = await gql(CREATE_OPPORTUNITY, {"input": {**values, "name": "Acme, Inc- 50 Premium"}},
                         token=world.tokens["ae"])
        assert fine["data"]["createOpportunity"]["errors"] == []
        listed = await gql("{ opportunities(first: 10) { nodes { name } } }", token=world.tokens["admin"])
    assert [n["name"] for n in listed["data"]["opportunities"]["nodes"]] == ["Acme, Inc- 50 Premium"]


class AsyncPromotion:
    @hookimpl
    async def cosell_partner_discount(self, partner, deal, context):
        await asyncio.sleep(0)  # the promotions service
        return DiscountLine(DiscountLineKind.PROMOTION, "remote_promo", "Remote promotion", Decimal("1.5"),
                            deal.list_amount, partner_id=partner.id, source="remote-promotions")


async def test_hook_cosell_partner_discount_async_line_is_in_the_quote(cosell_app_factory, world):
    async with cosell_app_factory(extra_plugins=[("remote-promotions", AsyncPromotion())]) as client:
        gql = GraphQLClient(client)
        q = await quote(gql, world, await _registered_deal(gql, world), "alpha")
    assert [(l["kind"], l["percent"], l["source"]) for l in q["lines"]] == [
        ("PARTNER_DISCOUNT", "10", "policy"), ("PROMOTION", "1.5", "remote-promotions")]


class AsyncPrimary:
    @hookimpl
    async def cosell_primary_partner(self, opportunity, partners):
        return None


def test_an_async_implementation_of_a_synchronous_only_hook_is_refused_at_start_up():
    with pytest.raises(PluginError) as refused:
        get_plugin_manager(allow=(), extra_plugins=[("acme-precedence", AsyncPrimary())])
    message = str(refused.value)
    assert "'acme-precedence'" in message and "cosell_primary_partner" in message and "synchronous only" in message


def test_the_cli_refuses_it_too_naming_plugin_and_hook(tmp_path, monkeypatch, capsys):
    from server.cli import main
    from tests.plugins.installed import install_plugin

    install_plugin(tmp_path, monkeypatch, entry_name="acme-async", source=(
        "from plugins import hookimpl\n\n"
        "@hookimpl\n"
        "async def cosell_primary_partner(opportunity, partners):\n"
        "    return None\n"))
    monkeypatch.setenv("COSELL_PLUGINS", "acme-async")
    assert main(["plugins"]) == 2
    err = capsys.readouterr().err
    assert "'acme-async'" in err and "cosell_primary_partner" in err and "synchronous only" in err


class CoroutineFromPlainDef:
    """A plain `def` answering a coroutine to a synchronous-only hook: a failure, not a hang."""

    @hookimpl
    def cosell_primary_partner(self, opportunity, partners):
        async def later():
            return None

        return later()


def test_an_awaitable_answer_to_a_synchronous_only_hook_is_the_plugins_failure():
    pm = get_plugin_manager(allow=(), extra_plugins=[("sneaky", CoroutineFromPlainDef())])
    with pytest.raises(PluginFailure) as failed:
        pm.hook.cosell_primary_partner(opportunity=None, partners=[])
    assert failed.value.plugin == "sneaky" and "synchronous only" in str(failed.value)


class Ordered:
    def __init__(self, name: str, answer, seen: list) -> None:
        self.name, self.answer, self.seen = name, answer, seen

    @hookimpl
    async def cosell_lead_partner(self, lead, candidates):
        self.seen.append(self.name)
        return self.answer


async def test_acall_keeps_pluggys_order_and_firstresult():
    """The last registered runs first (pluggy's order); the first answer other than None wins
    and the implementations after it are not called."""
    seen: list[str] = []
    choice = PartnerChoice(1, "first")
    pm = get_plugin_manager(allow=(), extra_plugins=[("c", Ordered("c", PartnerChoice(2, "never"), seen)),
                                           ("b", Ordered("b", choice, seen)), ("a", Ordered("a", None, seen))],
                            deny=["plugins.builtin.lead_partner"])
    candidates = [type("Candidate", (), {"partner_id": 1})(), type("Candidate", (), {"partner_id": 2})()]
    assert await pm.acall("cosell_lead_partner", lead={}, candidates=candidates) == choice
    assert seen == ["a", "b"]
