"""The reseller hooks with third-party plugins from tests/plugins/, through GraphQL:
a rule added, the precedence replaced, a plugin that raises (masked error naming the
plugin in the log, nothing written)."""

import logging

from partners.infra.errors import Violation
from partners.opportunities.tables import Opportunity, OpportunityPartner
from partners.people.enums import PartnerStatus
from plugins import hookimpl
from server.testing import GraphQLClient, make_partner
from tests.plugins import distributor_first, raising_rule, registrants_must_be_authorized
from tests.schema.sales import (
    add_partner,
    add_partner_ok,
    create_account,
    create_opportunity,
    make_registrant,
    make_registrant_ok,
    move,
    move_ok,
    only_error,
)


async def test_hook_cosell_validate_opportunity_third_party_rule_adds_to_the_built_ins(cosell_app_factory, world):
    async with cosell_app_factory(extra_plugins=[("acme-registrants", registrants_must_be_authorized)]) as client:
        gql = GraphQLClient(client)
        opp = await create_opportunity(gql, world, await create_account(gql, world))
        prospect = await make_partner("Gamma Prospects", nickname="GAMMA", status=PartnerStatus.PROSPECT)
        refused = await make_registrant(gql, world, opp["id"], prospect)
        error = only_error(refused)
        assert (error["code"], error["rule"], error["field"]) == ("UNAUTHORIZED_REGISTRANT", "ACME1", ["partnerId"])
        await OpportunityPartner.delete().where(OpportunityPartner.partner == prospect)
        # Collected with the built-ins: an authorized registrant without its nickname is R2's.
        both = await make_registrant(gql, world, opp["id"], "alpha")
        assert {e["rule"] for e in both["errors"]} == {"R2"}
        await OpportunityPartner.delete().where(OpportunityPartner.partner == world.partners["alpha"])
        await add_partner_ok(gql, world, opp["id"], prospect, "INFLUENCER")
        plugins = (await gql("{ plugins { name hooks } }", token=world.tokens["admin"]))["data"]["plugins"]
        assert {"name": "acme-registrants", "hooks": ["cosell_validate_opportunity"]} in plugins
    async with cosell_app_factory(extra_plugins=[("acme-registrants", registrants_must_be_authorized)],
                                  disabled_rules=frozenset({"ACME1"})) as client:
        gql = GraphQLClient(client)
        other = await make_partner("Delta Prospects", nickname="DELTA", status=PartnerStatus.PROSPECT)
        await make_registrant_ok(gql, world, opp["id"], other)


async def test_hook_cosell_validate_opportunity_built_ins_switched_off_by_plugin_name(cosell_app_factory, world):
    async with cosell_app_factory(plugins_deny=("plugins.builtin.reseller_rules",)) as client:
        gql = GraphQLClient(client)
        reseller = await create_account(gql, world, name="Resell Co", type="RESELLER")
        opp = await create_opportunity(gql, world, reseller, name="No nickname")  # R1, R2 not checked
        await add_partner_ok(gql, world, opp["id"], "alpha", "RESELLER")


async def test_hook_cosell_primary_partner_replaced_by_a_third_party_precedence(cosell_app_factory, world):
    async with cosell_app_factory(extra_plugins=[("acme-precedence", distributor_first)]) as client:
        gql = GraphQLClient(client)
        opp = await create_opportunity(gql, world, await create_account(gql, world), name="ALPHA - Acme")
        team = await make_registrant_ok(gql, world, opp["id"], "alpha")
        assert team["primaryReason"] == "ACME: deal_registrant first"
        # The distributor now outranks the registrant (R8 would keep Alpha).
        team = await add_partner_ok(gql, world, opp["id"], "beta", "DISTRIBUTOR", name="BETA - Acme")
        assert (team["primaryPartner"]["name"], team["primaryReason"]) == ("Beta Distribution",
                                                                           "ACME: distributor first")
    async with cosell_app_factory() as client:  # without the plugin, the built-in R8 again
        gql = GraphQLClient(client)
        team = await add_partner(gql, world, opp["id"], await make_partner("Gamma", nickname="GAMMA"), "INFLUENCER",
                                 name="ALPHA - Acme")
        assert team["opportunity"]["primaryReason"] == "deal registrant (R8)"


async def test_hook_cosell_primary_partner_answering_none_leaves_r7_to_refuse(cosell_app_factory, world):
    """A precedence that never names a primary: R7 refuses a team with an authorized reseller."""

    class NoPrimary:
        @hookimpl(tryfirst=True)
        def cosell_primary_partner(self, opportunity, partners):
            return None

    async with cosell_app_factory(extra_plugins=[("no-primary", NoPrimary())],
                                  plugins_deny=("plugins.builtin.precedence",)) as client:
        gql = GraphQLClient(client)
        opp = await create_opportunity(gql, world, await create_account(gql, world), name="ALPHA - Acme")
        error = only_error(await add_partner(gql, world, opp["id"], "alpha", "RESELLER"))
        assert (error["code"], error["rule"]) == ("ONE_PRIMARY_PARTNER", "R7")
        assert await OpportunityPartner.count() == 0


async def test_a_raising_rule_plugin_gives_a_masked_error_naming_it_in_the_log_and_writes_nothing(
    cosell_app_factory, world, caplog
):
    async with cosell_app_factory(extra_plugins=[("acme-buggy", raising_rule)]) as client:
        gql = GraphQLClient(client)
        account = await create_account(gql, world)
        with caplog.at_level(logging.ERROR):
            body = await gql("""mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
                opportunity { id } errors { code } } }""", {"input": {"accountId": account, "name": "Acme"}},
                             token=world.tokens["ae"], errors=True)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR" and error["extensions"]["requestId"]
    assert "acme-buggy" not in error["message"], "masked: the client sees only the request id"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Plugin 'acme-buggy' failed in cosell_validate_opportunity" in logged
    assert await Opportunity.count() == 0, "the write rolled back"


async def test_o8_upside_children_turned_duplicates_are_validated_by_the_rule_plugins(cosell_app_factory, world):
    """O8: closing a parent writes its upside-IACV children (now duplicates); every
    `cosell_validate_opportunity` implementation sees them as they will be, and a refusal of
    a child refuses the parent's move, naming the child, with nothing written."""
    seen = []

    class NoDuplicateKeepers:  # a third-party rule: opportunities named "Keep…" never become duplicates
        @hookimpl
        def cosell_validate_opportunity(self, opportunity, context):
            seen.append((opportunity.name, opportunity.stage.name, context.operation))
            if opportunity.name.startswith("Keep") and opportunity.stage.name == "DUPLICATE":
                return [Violation("KEEPER", "Keepers are never duplicates.", ("stage",), "ACME2")]
            return []

    async with cosell_app_factory(extra_plugins=[("acme-keepers", NoDuplicateKeepers())]) as client:
        gql = GraphQLClient(client)
        account = await create_account(gql, world)
        parent = await create_opportunity(gql, world, account, name="Parent")
        await create_opportunity(gql, world, account, name="Upside", type="UPSIDE_IACV", parentId=parent["id"])
        await move_ok(gql, world, parent["id"], "DISCOVERY", "NEGOTIATING")
        seen.clear()
        await move_ok(gql, world, parent["id"], "CLOSED_WON")
        assert ("Upside", "DUPLICATE", "moveOpportunityStage") in seen

        other = await create_opportunity(gql, world, account, name="Other parent")
        keeper = await create_opportunity(gql, world, account, name="Keep me", type="UPSIDE_IACV",
                                          parentId=other["id"])
        refused = await move(gql, world, other["id"], "CLOSED_LOST", lossReason="NO_DECISION")
        error = only_error(refused)
        assert (error["code"], error["rule"]) == ("KEEPER", "ACME2")
        assert "'Keep me'" in error["message"] and "closes with it" in error["message"]  # rule ids stay out of the text (issue 37)
        stages = {r["name"]: r["stage"] for r in await Opportunity.select(Opportunity.name, Opportunity.stage)}
        assert (stages["Other parent"], stages["Keep me"]) == ("0-Pending Acceptance", "0-Pending Acceptance")
        assert keeper["stage"] == "PENDING_ACCEPTANCE"
