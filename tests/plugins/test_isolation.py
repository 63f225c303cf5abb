"""Isolation (issue 9, docs/plugins.md "Isolation"): a plugin that raises, answers the
wrong type or is slower than COSELL_PLUGIN_TIMEOUT_MS is reported with its name; per hook,
the request fails cleanly (masked error with the request id, nothing written) or the
built-in answer stands (the locator falls back to the database lookup); the server keeps
serving."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from partners.infra.tables import OutboxMessage
from partners.opportunities.tables import Opportunity, OpportunityPartner
from plugins import hookimpl
from server.testing import GraphQLClient
from tests.locator_directory import build_directory
from tests.plugins import failing_locator
from tests.schema.registrations import register
from tests.schema.sales import ADD_PARTNER, create_account, create_opportunity, gid

DATABASE = "plugins.builtin.locator_database"
LOCATE = """query($input: PartnerLocatorInput) { partnerLocator(input: $input) {
  totalCount source edges { node { name } } } }"""
CREATE = """mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
  opportunity { id } errors { code } } }"""


def logged(caplog) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


# ------------------------------------------------------------ cosell_validate_opportunity


class WrongTypeRule:
    @hookimpl
    def cosell_validate_opportunity(self, opportunity, context):
        return "the name is too long"  # not a list of Violation


class SlowRule:
    @hookimpl
    def cosell_validate_opportunity(self, opportunity, context):
        time.sleep(0.08)
        return []


@pytest.mark.parametrize(("plugin", "reported"), [
    (WrongTypeRule(), "PluginWrongResult: cosell_validate_opportunity must return a list"),
    (SlowRule(), "PluginTooSlow: took"),
])
async def test_a_rule_plugin_answering_the_wrong_type_or_too_slowly_fails_the_write_cleanly(
    cosell_app_factory, world, caplog, plugin, reported
):
    async with cosell_app_factory(extra_plugins=[("acme-rules", plugin)], plugin_timeout_ms=30) as client:
        gql = GraphQLClient(client)
        account = await create_account(gql, world)
        with caplog.at_level(logging.ERROR):
            body = await gql(CREATE, {"input": {"accountId": account, "name": "Acme"}}, token=world.tokens["ae"],
                             errors=True)
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR" and error["extensions"]["requestId"]
        assert "acme-rules" not in error["message"], "masked: the client sees only the request id"
        assert f"Plugin 'acme-rules' failed in cosell_validate_opportunity: {reported}" in logged(caplog)
        assert await Opportunity.count() == 0, "the write rolled back"
        # The server keeps serving.
        me = await gql("{ viewer { email } }", token=world.tokens["ae"])
        assert me["data"]["viewer"]["email"] == "ae@cosell.test"


async def test_built_in_plugins_are_not_timed(cosell_app_factory, world):
    """The limit is for third-party plugins: the built-in rules (R1–R7, R8) still answer."""
    async with cosell_app_factory(plugin_timeout_ms=0.000001) as client:
        gql = GraphQLClient(client)
        opportunity = await create_opportunity(gql, world, await create_account(gql, world), name="Acme deal")
    assert opportunity["name"] == "Acme deal"


# ------------------------------------------------------------ cosell_primary_partner


class OutsiderPrecedence:
    """Names a partner that is not on the team: a wrong answer (R8's contract)."""

    @hookimpl(tryfirst=True)
    def cosell_primary_partner(self, opportunity, partners):
        from dataclasses import replace

        from partners.opportunities.reseller import PrimaryChoice

        return PrimaryChoice(replace(partners[0], partner_id=-1), "somebody else")


async def test_a_precedence_answering_a_partner_off_the_team_fails_the_write_cleanly(cosell_app_factory, world, caplog):
    async with cosell_app_factory(extra_plugins=[("acme-precedence", OutsiderPrecedence())]) as client:
        gql = GraphQLClient(client)
        opp = await create_opportunity(gql, world, await create_account(gql, world), name="ALPHA - Acme")
        with caplog.at_level(logging.ERROR):
            body = await gql(ADD_PARTNER, {"input": {"opportunityId": opp["id"], "role": "FULFILLER",
                                                     "partnerId": gid("Partner", world.partners["alpha"])}},
                             token=world.tokens["ae"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "Plugin 'acme-precedence' failed in cosell_primary_partner: PluginWrongResult" in logged(caplog)
    assert await OpportunityPartner.count() == 0


# ------------------------------------------------------------ cosell_locate_partners


class WrongTypeLookup:
    @hookimpl
    def cosell_locate_partners(self, region, query):
        return [{"name": "a dict, not a DirectoryEntry"}]


class SlowSyncLookup:
    @hookimpl
    def cosell_locate_partners(self, region, query):
        time.sleep(0.08)
        return []


class SlowAsyncLookup:
    def __init__(self) -> None:
        self.cancelled = False

    async def _fetch(self):
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return []

    @hookimpl
    def cosell_locate_partners(self, region, query):
        return self._fetch()


@pytest.mark.parametrize(("plugin", "reported"), [
    (failing_locator, "ConnectionError: EMEA directory service is down"),
    (WrongTypeLookup(), "PluginWrongResult: cosell_locate_partners must return partners.locator.DirectoryEntry"),
    (SlowSyncLookup(), "PluginTooSlow: took"),
    (SlowAsyncLookup(), "PluginTooSlow: took"),
], ids=["raises", "wrong-type", "slow-sync", "slow-async"])
async def test_hook_cosell_locate_partners_a_failing_lookup_falls_back_to_the_database_d7(
    cosell_app_factory, world, caplog, plugin, reported
):
    await build_directory(world)
    async with cosell_app_factory(extra_plugins=[("emea-service", plugin)], plugin_timeout_ms=30) as client:
        gql = GraphQLClient(client)
        started = time.perf_counter()
        with caplog.at_level(logging.ERROR):
            body = await gql(LOCATE, {"input": {"region": "EMEA"}}, token=world.tokens["ae"])
        elapsed = time.perf_counter() - started
    result = body["data"]["partnerLocator"]
    assert result["source"] == DATABASE and result["totalCount"] == 5, "the built-in answer stands"
    assert "partner lookup 'emea-service' failed for EMEA" in logged(caplog)
    assert f"Plugin 'emea-service' failed in cosell_locate_partners: {reported}" in logged(caplog)
    if isinstance(plugin, SlowAsyncLookup):
        assert plugin.cancelled and elapsed < 5, "an awaitable lookup is cancelled at the limit"


async def test_a_failing_lookup_without_the_database_lookup_is_named_in_the_error(cosell_app_factory, world):
    async with cosell_app_factory(extra_plugins=[("emea-service", failing_locator)], plugins_deny=(DATABASE,)) as client:
        body = await GraphQLClient(client)(LOCATE, {"input": {"region": "EMEA"}}, token=world.tokens["ae"],
                                           errors=True)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "LOCATOR_UNAVAILABLE"
    assert "'emea-service' failed for EMEA" in error["message"]


# ------------------------------------------------------------ cosell_deal_registration_event


class SlowListener:
    def __init__(self) -> None:
        self.events: list[str] = []

    @hookimpl
    def cosell_deal_registration_event(self, event, registration):
        time.sleep(0.05)
        self.events.append(event)


async def test_hook_cosell_deal_registration_event_slow_is_logged_not_delivered_twice(cosell_app_factory, world, caplog):
    """After commit the side effect already happened: a slow listener is only reported."""
    listener = SlowListener()
    async with cosell_app_factory(extra_plugins=[("slow-crm", listener)], plugin_timeout_ms=10) as client:
        await register(GraphQLClient(client), world)
        with caplog.at_level(logging.WARNING):
            await client.app.state.background.run_once()
            await client.app.state.background.run_once()
    assert listener.events == ["SUBMITTED"], "delivered once, not retried"
    assert "Plugin 'slow-crm' was slow in cosell_deal_registration_event" in logged(caplog)
    statuses = await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.kind == "deal_registration_event")
    assert {row["status"] for row in statuses} == {"SENT"}


class FailingListener:
    @hookimpl
    def cosell_deal_registration_event(self, event, registration):
        raise ConnectionError("CRM is down")


async def test_hook_cosell_deal_registration_event_a_failing_listener_is_retried(cosell_app_factory, world):
    async with cosell_app_factory(extra_plugins=[("down-crm", FailingListener())]) as client:
        await register(GraphQLClient(client), world)
        await client.app.state.background.run_once()
    rows = await OutboxMessage.select(OutboxMessage.status, OutboxMessage.last_error).where(
        OutboxMessage.kind == "deal_registration_event")
    assert rows and {row["status"] for row in rows} == {"PENDING"}, "retried later with backoff"
    assert all("Plugin 'down-crm' failed in cosell_deal_registration_event" in row["last_error"] for row in rows)


# ------------------------------------------------------------ tracing


async def test_trace_hooks_logs_each_call_with_plugin_duration_and_outcome(cosell_app_factory, world, caplog):
    """COSELL_TRACE_HOOKS=1: one log record per plugin call: plugin, hook, duration, outcome."""
    await build_directory(world)
    async with cosell_app_factory(extra_plugins=[("emea-service", SlowSyncLookup())], trace_hooks=True,
                                  plugin_timeout_ms=30) as client:
        with caplog.at_level(logging.INFO, logger="cosell.plugins"):
            await GraphQLClient(client)(LOCATE, {"input": {"region": "EMEA"}}, token=world.tokens["ae"])
    records = [(r.plugin, r.hook, r.outcome) for r in caplog.records if r.name == "cosell.plugins"]
    assert records == [("emea-service", "cosell_locate_partners", "timeout"),
                       (DATABASE, "cosell_locate_partners", "ok")]
    durations = [r.duration_ms for r in caplog.records if r.name == "cosell.plugins"]
    assert durations[0] >= 80
