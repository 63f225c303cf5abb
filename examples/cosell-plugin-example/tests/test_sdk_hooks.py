"""The example's use of the plugin SDK of issue 41, with cosell's test helpers only: a
start-up hook, async and idempotent lead events keyed by the message id (delivered
in-process with `drain_outbox`, and by a live server's own outbox sender), and a partner
discount bounded by the policy (P8)."""

import json
from datetime import datetime, timezone

import httpx
import pytest

from plugins import EventEnvelope
from server.testing import GraphQLClient, global_id, make_partner
from server.testing_plugins import eventually

from cosell_plugin_example import crm
from cosell_plugin_example.plugin import cosell_lead_event

pytestmark = pytest.mark.cosell_plugins("example")

CREATE_LEAD = """mutation($input: CreateLeadInput!) { createLead(input: $input) { lead { id } errors { code } } }"""
LEAD = {"company": "Initech", "region": "AMER", "country": "US", "contactName": "Peter Gibbons",
        "contactEmail": "peter@initech.test", "productInterest": "Premium"}


def records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def test_startup_learns_the_plugins_name_and_opens_the_crm(cosell_app_factory, monkeypatch, tmp_path):
    monkeypatch.setenv("COSELL_PLUGIN_EXAMPLE_CRM_FILE", str(tmp_path / "crm" / "leads.jsonl"))
    async with cosell_app_factory():
        assert crm.state == {"name": "example", "crm_file": tmp_path / "crm" / "leads.jsonl"}
        assert (tmp_path / "crm" / "leads.jsonl").exists()
    assert crm.state["crm_file"] is None  # cosell_shutdown closed it


async def test_a_crm_file_that_cannot_be_written_stops_startup_naming_the_plugin(
        cosell_app_factory, monkeypatch, tmp_path):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("COSELL_PLUGIN_EXAMPLE_CRM_FILE", str(tmp_path / "a-file" / "leads.jsonl"))
    with pytest.raises(Exception) as raised:
        async with cosell_app_factory():
            pass
    assert "Plugin 'example' failed in cosell_startup" in str(raised.value)


async def test_lead_events_are_synced_once_per_message(cosell_app_factory, world, drain_outbox, monkeypatch,
                                                       tmp_path):
    synced = tmp_path / "leads.jsonl"
    monkeypatch.setenv("COSELL_PLUGIN_EXAMPLE_CRM_FILE", str(synced))
    async with cosell_app_factory() as client:
        body = await GraphQLClient(client)(CREATE_LEAD, {"input": LEAD}, token=world.tokens["sdr"])
        assert body["data"]["createLead"]["errors"] == []
        assert records(synced) == []  # after commit, through the outbox
        report = await drain_outbox(client)
        assert report.sent >= 1 and report.retried == 0
        (record,) = records(synced)
        assert (record["event"], record["company"], record["source"]) == ("CREATED", "Initech", "example")
        assert len(record["message_id"]) == 32

        # A retried message (same message id) is not synced twice.
        again = EventEnvelope(message_id=record["message_id"], kind="lead_event", event="CREATED",
                              occurred_at=datetime.now(timezone.utc), attempt=2,
                              subject={"id": record["lead"], "company": "Initech"})
        await cosell_lead_event(again)
        assert len(records(synced)) == 1


async def test_a_live_server_syncs_lead_events_with_its_own_outbox_sender(
        cosell_live_server_factory, world, monkeypatch, tmp_path):
    synced = tmp_path / "leads.jsonl"
    monkeypatch.setenv("COSELL_PLUGIN_EXAMPLE_CRM_FILE", str(synced))
    with cosell_live_server_factory(background_jobs=True) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            await GraphQLClient(client)(CREATE_LEAD, {"input": {**LEAD, "company": "Globex"}},
                                        token=world.tokens["sdr"])
        found = await eventually(lambda: [r for r in records(synced) if r["company"] == "Globex"])
    assert [r["event"] for r in found] == ["CREATED"]


POLICY = """mutation($input: AddDiscountPolicyInput!) { addDiscountPolicy(input: $input) { errors { code message } } }"""
ADD_PARTNER = """mutation($input: AddOpportunityPartnerInput!) { addOpportunityPartner(input: $input) {
  errors { code } } }"""
QUOTE = """query($input: DiscountQuoteInput!) { discountQuote(input: $input) {
  quote { lines { kind key rule label percent source } } errors { code message } } }"""


async def partner_line(cosell_app_factory, world) -> dict:
    async with cosell_app_factory() as client:
        gql = GraphQLClient(client)
        rates = [{"track": t, "registrationType": k, "percent": "10"}
                 for t in ("OPEN", "SELECT", "SELECT_SERVICES") for k in ("RESALE", "REFERRAL", "MSP")]
        await gql(POLICY, {"input": {"effectiveFrom": "2020-01-01", "coSellPercent": "7.5", "programRates": rates,
                                     "distributorMarginPercent": "3",
                                     "pocRates": [{"minUsers": 5, "maxUsers": 20, "percent": "10"}]}},
                  token=world.tokens["admin"])
        gamma = global_id("Partner", await make_partner("Gamma Systems", nickname="GAMMA", track="SELECT"))
        account = (await gql("""mutation { createAccount(input: {name: "Acme, Inc"}) { account { id } } }""",
                             token=world.tokens["sales_ops"]))["data"]["createAccount"]["account"]["id"]
        await gql("""mutation($id: ID!) { setAccountScreeningStatus(input: {id: $id, status: CLEAR}) {
            errors { code } } }""", {"id": account}, token=world.tokens["sales_ops"])
        opportunity = (await gql("""mutation($a: ID!) { createOpportunity(input: {accountId: $a,
            name: "GAMMA - Acme", amount: 10000}) { opportunity { id } } }""", {"a": account},
                                 token=world.tokens["ae"]))["data"]["createOpportunity"]["opportunity"]["id"]
        await gql(ADD_PARTNER, {"input": {"opportunityId": opportunity, "role": "RESELLER", "partnerId": gamma}},
                  token=world.tokens["ae"])
        body = await gql(QUOTE, {"input": {"opportunityId": opportunity, "partnerId": gamma}},
                         token=world.tokens["admin"])
    (line,) = [line for line in body["data"]["discountQuote"]["quote"]["lines"] if line["key"] == "partner"]
    return line


async def test_ex3_a_lower_partner_rate_stands(cosell_app_factory, world, monkeypatch):
    monkeypatch.setenv("COSELL_PLUGIN_EXAMPLE_SELECT_PARTNER_RATE", "5")
    line = await partner_line(cosell_app_factory, world)
    assert (line["rule"], line["percent"], line["source"], line["label"]) == (
        "EX3", "5", "example", "SELECT partner rate (example)")


async def test_ex3_a_higher_partner_rate_is_capped_at_the_policy_p8(cosell_app_factory, world, monkeypatch):
    monkeypatch.setenv("COSELL_PLUGIN_EXAMPLE_SELECT_PARTNER_RATE", "50")
    line = await partner_line(cosell_app_factory, world)
    assert (line["rule"], line["percent"]) == ("EX3", "7.5")  # the co-sell rate of the policy (P7)
    assert line["label"] == "SELECT partner rate (example) (capped at the policy's 7.5%, P8)"
