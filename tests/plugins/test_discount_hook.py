"""The `cosell_partner_discount` hook with third-party plugins, through GraphQL (issue 7)."""

import logging

from partners.people.enums import PartnerType
from server.testing import GraphQLClient, make_partner
from tests.plugins import amer_promotion, raising_discount
from tests.schema.discounts import add_policy_ok, line, quote
from tests.schema.registrations import approved, register


async def _registered_deal(gql, world) -> str:
    await add_policy_ok(gql, world)
    reg = await register(gql, world, "alpha_user")
    return (await approved(gql, world, reg["id"]))["opportunity"]["id"]


async def test_hook_cosell_partner_discount(cosell_app_factory, world):
    """A plugin adds a line (a regional promotion) and replaces a built-in one (the P10
    distributor margin); the built-in partner discount line (D5) stays."""
    await make_partner("Gamma Distribution", nickname="GAMMA", partner_type=PartnerType.DISTRIBUTOR)  # AMER
    async with cosell_app_factory(extra_plugins=[("acme-promotions", amer_promotion)]) as client:
        gql = GraphQLClient(client)
        opp = await _registered_deal(gql, world)
        q = await quote(gql, world, opp, "alpha")
        assert [(l["kind"], l["rate"], l["source"]) for l in q["lines"]] == [
            ("PARTNER_DISCOUNT", 10.0, "policy"), ("DISTRIBUTOR_MARGIN", 4.0, "acme-promotions"),
            ("PROMOTION", 2.0, "acme-promotions")]
        assert line(q, "PROMOTION")["rule"] == "ACME-PROMO" and line(q, "PROMOTION")["amount"] == 348.0
        assert q["total"] == 1740.0 + 696.0 + 348.0
        plugins = (await gql("{ plugins { name hooks } }", token=world.tokens["admin"]))["data"]["plugins"]
        assert {"name": "acme-promotions", "hooks": ["cosell_partner_discount"]} in plugins
        # P8 still governs the partner line: no increase through a requested rate.
        up = (await gql("""query($i: DiscountQuoteInput!) { discountQuote(input: $i) { errors { code rule } } }""",
                        {"i": {"opportunityId": opp, "partnerId": _alpha(world), "requestedRate": 11.0}},
                        token=world.tokens["admin"]))["data"]["discountQuote"]["errors"]
        assert up == [{"code": "DISCOUNT_INCREASE_REFUSED", "rule": "P8"}]
    async with cosell_app_factory() as client:  # without the plugin: the built-in lines only
        q = await quote(GraphQLClient(client), world, opp, "alpha")
        assert [(l["kind"], l["rate"]) for l in q["lines"]] == [("PARTNER_DISCOUNT", 10.0), ("DISTRIBUTOR_MARGIN", 3.0)]


def _alpha(world) -> str:
    from tests.schema.sales import gid

    return gid("Partner", world.partners["alpha"])


async def test_hook_cosell_partner_discount_builtin_switched_off_leaves_plugins_alone(cosell_app_factory, world):
    async with cosell_app_factory(extra_plugins=[("acme-promotions", amer_promotion)],
                                  plugins_deny=("plugins.builtin.discounts",)) as client:
        gql = GraphQLClient(client)
        q = await quote(gql, world, await _registered_deal(gql, world), "alpha")
        assert [l["kind"] for l in q["lines"]] == ["PROMOTION"]


async def test_a_raising_discount_plugin_gives_a_masked_error_naming_it_in_the_log(cosell_app_factory, world, caplog):
    async with cosell_app_factory(extra_plugins=[("acme-buggy-promo", raising_discount)]) as client:
        gql = GraphQLClient(client)
        opp = await _registered_deal(gql, world)
        with caplog.at_level(logging.ERROR):
            body = await gql("""query($i: DiscountQuoteInput!) { discountQuote(input: $i) { quote { total } } }""",
                             {"i": {"opportunityId": opp, "partnerId": _alpha(world)}}, token=world.tokens["alpha_user"],
                             errors=True)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR" and error["extensions"]["requestId"]
    assert "acme" not in error["message"] and "promo_table" not in error["message"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Plugin 'acme-buggy-promo' failed in cosell_partner_discount" in logged


async def test_a_discount_plugin_answering_the_wrong_type_fails_the_quote_naming_it(cosell_app_factory, world, caplog):
    """Isolation (issue 9): a wrong answer is the plugin's failure, reported with its name."""
    async with cosell_app_factory(extra_plugins=[("acme-dict-promo", raising_discount.WrongDiscountAnswer())]) as client:
        gql = GraphQLClient(client)
        opp = await _registered_deal(gql, world)
        with caplog.at_level(logging.ERROR):
            body = await gql("""query($i: DiscountQuoteInput!) { discountQuote(input: $i) { quote { total } } }""",
                             {"i": {"opportunityId": opp, "partnerId": _alpha(world)}}, token=world.tokens["alpha_user"],
                             errors=True)
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR" and error["extensions"]["requestId"]
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert "Plugin 'acme-dict-promo' failed in cosell_partner_discount" in logged
        assert "DiscountLine" in logged
        after = await gql("{ viewer { email } }", token=world.tokens["alpha_user"])
        assert after["data"]["viewer"]["email"]  # the server keeps serving
