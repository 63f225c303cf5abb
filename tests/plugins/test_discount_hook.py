"""The `cosell_partner_discount` hook with third-party plugins, through GraphQL (issue 7)."""

import logging
from decimal import Decimal as D

import pytest

from partners.opportunities.tables import Opportunity
from partners.people.enums import PartnerType
from server.testing import GraphQLClient, make_partner
from tests.plugins import amer_promotion, legacy_discount, raising_discount
from tests.schema.discounts import add_policy_ok, amount, line, quote, total
from tests.schema.sales import pk
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
        assert [(l["kind"], l["percent"], l["source"]) for l in q["lines"]] == [
            ("PARTNER_DISCOUNT", "10", "policy"), ("DISTRIBUTOR_MARGIN", "4", "acme-promotions"),
            ("PROMOTION", "2", "acme-promotions")]
        promo = line(q, "PROMOTION")
        assert promo["rule"] == "ACME-PROMO" and promo["amountMoney"] == {"amount": "348.00", "currency": "USD"}
        assert total(q) == D("1740.00") + D("696.00") + D("348.00")
        plugins = (await gql("{ plugins { name hooks } }", token=world.tokens["admin"]))["data"]["plugins"]
        assert {"name": "acme-promotions", "hooks": ["cosell_partner_discount"]} in plugins
        # P8 still governs the partner line: no increase through a requested rate.
        up = (await gql("""query($i: DiscountQuoteInput!) { discountQuote(input: $i) { errors { code rule } } }""",
                        {"i": {"opportunityId": opp, "partnerId": _alpha(world), "requestedRate": 11.0}},
                        token=world.tokens["admin"]))["data"]["discountQuote"]["errors"]
        assert up == [{"code": "DISCOUNT_INCREASE_REFUSED", "rule": "P8"}]
    async with cosell_app_factory() as client:  # without the plugin: the built-in lines only
        q = await quote(GraphQLClient(client), world, opp, "alpha")
        assert [(l["kind"], l["percent"]) for l in q["lines"]] == [("PARTNER_DISCOUNT", "10"), ("DISTRIBUTOR_MARGIN", "3")]


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


async def test_a_plugins_float_rate_is_read_by_its_repr_with_a_logged_deprecation(cosell_app_factory, world, caplog):
    """Issue 40: one deprecation cycle for plugins returning float rates: 2.3 is 2.3 %
    exactly (not 2.29999…), the line is computed in Decimal, and the log says so."""
    async with cosell_app_factory(extra_plugins=[("acme-legacy", legacy_discount.FloatRate())]) as client:
        gql = GraphQLClient(client)
        opp = await _registered_deal(gql, world)
        with caplog.at_level(logging.WARNING, logger="cosell.plugins"):
            q = await quote(gql, world, opp, "alpha", amountMoney={"amount": "999.99"})
    promo = line(q, "PROMOTION")
    assert (promo["percent"], amount(promo)) == ("2.3", D("23.00"))  # 22.99977 half up
    assert total(q) == D("100.00") + D("23.00")
    assert "float rate" in caplog.text and "acme-legacy" in caplog.text


@pytest.mark.parametrize("plugin, cause", [
    (legacy_discount.ForeignCurrency(), "CURRENCY_MISMATCH"),
    (legacy_discount.FloatAmount(), "partners.money.Money"),
])
async def test_a_plugin_line_in_another_currency_or_a_float_amount_is_the_plugins_failure(
        cosell_app_factory, world, caplog, plugin, cause):
    """A line must be Money in the deal's currency (D5: the quote converts nothing): a USD
    line on a EUR deal, or a float amount, fails the quote naming the plugin."""
    async with cosell_app_factory(extra_plugins=[("acme-wrong-money", plugin)]) as client:
        gql = GraphQLClient(client)
        opp = await _registered_deal(gql, world)
        await Opportunity.update({Opportunity.currency: "EUR"}).where(Opportunity.id == pk(opp))
        with caplog.at_level(logging.ERROR):
            body = await gql("""query($i: DiscountQuoteInput!) { discountQuote(input: $i) { quote { currency } } }""",
                             {"i": {"opportunityId": opp, "partnerId": _alpha(world)}}, token=world.tokens["admin"],
                             errors=True)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR" and "acme" not in error["message"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Plugin 'acme-wrong-money' failed in cosell_partner_discount" in logged and cause in logged
