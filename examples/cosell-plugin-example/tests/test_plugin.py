"""The example plugin, installed with pip and discovered through its entry point, tested
with cosell's test helpers only (the pytest plugin `cosell`: fixtures `gql`, `world`,
`cosell_app_factory`, the marker `cosell_plugins`)."""

import json

import pytest

from plugins.manager import PluginError
from server.testing import GraphQLClient, global_id, make_partner

# Load the installed plugin "example" in every cosell app of these tests (test apps load
# no installed plugin unless asked).
pytestmark = pytest.mark.cosell_plugins("example")

DATABASE = "plugins.builtin.locator_database"

ADD_PARTNER = """mutation($input: AddOpportunityPartnerInput!) { addOpportunityPartner(input: $input) {
  opportunity { partners { role partner { name } } } errors { code message field rule } } }"""
LOCATE = """query($input: PartnerLocatorInput) { partnerLocator(input: $input) {
  source totalCount edges { node { key name city } } } }"""


async def new_opportunity(gql, world, name: str = "ALPHA - Acme") -> str:
    """An account (screened) and an opportunity on it, named for Alpha's nickname (R2)."""
    account = (await gql("""mutation($input: CreateAccountInput!) { createAccount(input: $input) {
        account { id } errors { code } } }""", {"input": {"name": "Acme, Inc"}},
                         token=world.tokens["sales_ops"]))["data"]["createAccount"]["account"]["id"]
    await gql("""mutation($input: SetAccountScreeningStatusInput!) { setAccountScreeningStatus(input: $input) {
        errors { code } } }""", {"input": {"id": account, "status": "CLEAR"}}, token=world.tokens["sales_ops"])
    payload = (await gql("""mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
        opportunity { id } errors { code } } }""", {"input": {"accountId": account, "name": name, "amount": 10000}},
                         token=world.tokens["ae"]))["data"]["createOpportunity"]
    assert payload["errors"] == []
    return payload["opportunity"]["id"]


async def add_reseller(gql, world, opportunity: str, partner: str) -> dict:
    body = await gql(ADD_PARTNER, {"input": {"opportunityId": opportunity, "role": "RESELLER",
                                             "partnerId": global_id("Partner", world.partners[partner])}},
                     token=world.tokens["ae"])
    return body["data"]["addOpportunityPartner"]


async def test_the_plugin_is_discovered_through_its_entry_point(gql, world):
    plugins = (await gql("{ plugins { name version builtin hooks } }", token=world.tokens["admin"]))["data"]["plugins"]
    assert {"name": "example", "version": "0.1.0", "builtin": False,
            "hooks": ["cosell_extend_schema", "cosell_lead_event", "cosell_locate_partners",
                      "cosell_partner_discount", "cosell_shutdown", "cosell_startup",
                      "cosell_validate_opportunity"]} in plugins


async def test_ex1_refuses_a_second_reseller_and_writes_nothing(gql, world):
    opportunity = await new_opportunity(gql, world)
    first = await add_reseller(gql, world, opportunity, "alpha")
    assert first["errors"] == []
    second = await add_reseller(gql, world, opportunity, "beta")
    assert [(e["code"], e["rule"], e["field"]) for e in second["errors"]] == [("TOO_MANY_RESELLERS", "EX1", ["role"])]
    assert "Alpha Resellers, Beta Distribution" in second["errors"][0]["message"]
    team = await gql("query($id: ID!) { node(id: $id) { ... on Opportunity { partners { partner { name } } } } }",
                     {"id": opportunity}, token=world.tokens["ae"])
    assert team["data"]["node"]["partners"] == [{"partner": {"name": "Alpha Resellers"}}]


async def test_ex1_limit_is_a_setting(cosell_app_factory, world, monkeypatch):
    monkeypatch.setenv("COSELL_PLUGIN_EXAMPLE_MAX_RESELLERS", "2")
    async with cosell_app_factory() as client:
        gql = GraphQLClient(client)
        opportunity = await new_opportunity(gql, world)
        assert (await add_reseller(gql, world, opportunity, "alpha"))["errors"] == []
        assert (await add_reseller(gql, world, opportunity, "beta"))["errors"] == []


async def test_ex1_is_switched_off_like_a_built_in_rule(cosell_app_factory, world):
    async with cosell_app_factory(disabled_rules=frozenset({"EX1"})) as client:
        gql = GraphQLClient(client)
        opportunity = await new_opportunity(gql, world)
        await add_reseller(gql, world, opportunity, "alpha")
        assert (await add_reseller(gql, world, opportunity, "beta"))["errors"] == []


@pytest.mark.parametrize(("value", "problem"), [
    ("two", "COSELL_PLUGIN_EXAMPLE_MAX_RESELLERS must be an integer (got 'two')"),
    ("0", "COSELL_PLUGIN_EXAMPLE_MAX_RESELLERS must be at least 1 (got '0')"),
])
async def test_an_invalid_setting_stops_startup_naming_the_plugin_and_the_variable(
    cosell_app_factory, monkeypatch, value, problem
):
    monkeypatch.setenv("COSELL_PLUGIN_EXAMPLE_MAX_RESELLERS", value)
    with pytest.raises(PluginError) as raised:
        async with cosell_app_factory():
            pass
    assert str(raised.value) == f"Plugin 'example' has invalid settings: {problem}"


async def test_an_inexact_loyalty_rate_stops_startup(cosell_app_factory, monkeypatch):
    monkeypatch.setenv("COSELL_PLUGIN_EXAMPLE_LOYALTY_RATE", "1,5")
    with pytest.raises(PluginError) as raised:
        async with cosell_app_factory():
            pass
    assert "COSELL_PLUGIN_EXAMPLE_LOYALTY_RATE must be a percentage from 0 to 100" in str(raised.value)


async def test_ex2_rates_are_exact_and_lines_round_half_up_in_the_deals_currency(world, monkeypatch, cosell_app_factory):
    """Issue 40: COSELL_PLUGIN_EXAMPLE_LOYALTY_RATE=1.15 is 1.15 % exactly; on a quote of
    999.99 USD the line is 11.499885 → 11.50 (half up), and the total is the exact sum."""
    monkeypatch.setenv("COSELL_PLUGIN_EXAMPLE_LOYALTY_RATE", "1.15")
    async with cosell_app_factory() as client:
        gql = GraphQLClient(client)
        await add_policy(gql, world)
        gamma = await make_partner("Gamma Systems", nickname="GAMMA", track="SELECT")
        opportunity = await new_opportunity(gql, world, name="GAMMA - Acme")
        body = await gql(ADD_PARTNER, {"input": {"opportunityId": opportunity, "role": "RESELLER",
                                                 "partnerId": global_id("Partner", gamma)}}, token=world.tokens["ae"])
        assert body["data"]["addOpportunityPartner"]["errors"] == []
        body = await gql(QUOTE, {"input": {"opportunityId": opportunity, "partnerId": global_id("Partner", gamma),
                                           "amountMoney": {"amount": "999.99"}}}, token=world.tokens["admin"])
    quote = body["data"]["discountQuote"]["quote"]
    loyalty = next(line for line in quote["lines"] if line["key"] == "example_loyalty")
    assert (loyalty["percent"], loyalty["amountMoney"]["amount"]) == ("1.15", "11.50")
    co_sell = next(line for line in quote["lines"] if line["kind"] == "PARTNER_DISCOUNT")
    assert co_sell["amountMoney"]["amount"] == "75.00"  # 7.5 % of 999.99 = 74.99925 → 75.00
    assert quote["totalMoney"] == {"amount": "86.50", "currency": "USD"}


async def test_the_locator_answers_apj_from_the_packaged_file(gql, world):
    apj = (await gql(LOCATE, {"input": {"region": "APJ"}}, token=world.tokens["alpha_user"]))["data"]["partnerLocator"]
    assert apj["source"] == "example"
    # Locator order (SELECT first, then delivered engagements); the PROSPECT is not listed (P1).
    assert [e["node"]["name"] for e in apj["edges"]] == ["Kansai Cloud Works", "Harbour DevOps",
                                                         "Lion City Integrators"]
    kubernetes = (await gql(LOCATE, {"input": {"region": "APJ", "specializations": ["kubernetes"], "country": "AU"}},
                            token=world.tokens["alpha_user"]))["data"]["partnerLocator"]
    assert [e["node"]["key"] for e in kubernetes["edges"]] == ["example:au-01"]
    emea = (await gql(LOCATE, {"input": {"region": "EMEA"}}, token=world.tokens["alpha_user"]))["data"]["partnerLocator"]
    assert emea["source"] == DATABASE


async def test_the_locator_serves_the_file_named_by_its_setting(cosell_app_factory, world, monkeypatch, tmp_path):
    directory = tmp_path / "latam.json"
    directory.write_text(json.dumps({"region": "LATAM", "partners": [
        {"key": "cl-1", "name": "Santiago Partner", "type": "RESELLER", "track": "OPEN", "status": "AUTHORIZED",
         "country": "CL"}]}))
    monkeypatch.setenv("COSELL_PLUGIN_EXAMPLE_DIRECTORY_FILE", str(directory))
    async with cosell_app_factory() as client:
        gql = GraphQLClient(client)
        latam = (await gql(LOCATE, {"input": {"region": "LATAM"}}, token=world.tokens["ae"]))["data"]["partnerLocator"]
        apj = (await gql(LOCATE, {"input": {"region": "APJ"}}, token=world.tokens["ae"]))["data"]["partnerLocator"]
    assert (latam["source"], [e["node"]["name"] for e in latam["edges"]]) == ("example", ["Santiago Partner"])
    assert apj["source"] == DATABASE


async def test_an_app_of_a_test_may_leave_the_plugin_out(cosell_app_factory, world):
    async with cosell_app_factory(plugins_allow=()) as client:
        body = await GraphQLClient(client)("{ plugins { name } }", token=world.tokens["admin"])
    assert "example" not in [p["name"] for p in body["data"]["plugins"]]


POLICY = """mutation($input: AddDiscountPolicyInput!) { addDiscountPolicy(input: $input) { errors { code message } } }"""
QUOTE = """query($input: DiscountQuoteInput!) { discountQuote(input: $input) {
  quote { currency totalMoney { amount currency } lines { kind key rule percent amountMoney { amount currency } source } }
  errors { code message } } }"""


async def add_policy(gql, world) -> None:
    """A discount policy in effect (D5, P7): the built-in lines need one."""
    rates = [{"track": track, "registrationType": kind, "percent": "10"}
             for track in ("OPEN", "SELECT", "SELECT_SERVICES") for kind in ("RESALE", "REFERRAL", "MSP")]
    body = await gql(POLICY, {"input": {"effectiveFrom": "2020-01-01", "coSellPercent": "7.5", "programRates": rates,
                                        "distributorMarginPercent": "3",
                                        "pocRates": [{"minUsers": 5, "maxUsers": 20, "percent": "10"}]}},
                     token=world.tokens["admin"])
    assert body["data"]["addDiscountPolicy"]["errors"] == []


async def quote_lines(gql, world, opportunity: str, partner_id: int) -> list[dict]:
    body = await gql(QUOTE, {"input": {"opportunityId": opportunity, "partnerId": global_id("Partner", partner_id)}},
                     token=world.tokens["admin"])
    payload = body["data"]["discountQuote"]
    assert payload["errors"] == [], payload["errors"]
    return payload["quote"]["lines"]


async def test_ex2_adds_a_loyalty_line_for_select_partners_next_to_the_built_in_line(gql, world):
    await add_policy(gql, world)
    gamma = await make_partner("Gamma Systems", nickname="GAMMA", track="SELECT")
    opportunity = await new_opportunity(gql, world, name="GAMMA - Acme")
    body = await gql(ADD_PARTNER, {"input": {"opportunityId": opportunity, "role": "RESELLER",
                                             "partnerId": global_id("Partner", gamma)}}, token=world.tokens["ae"])
    assert body["data"]["addOpportunityPartner"]["errors"] == []
    lines = await quote_lines(gql, world, opportunity, gamma)
    # Exact (issue 40): 1.5 % of the 10,000.00 USD list amount, in the deal's currency.
    assert {"kind": "PROMOTION", "key": "example_loyalty", "rule": "EX2", "percent": "1.5",
            "amountMoney": {"amount": "150.00", "currency": "USD"}, "source": "example"} in lines
    assert [line["rule"] for line in lines if line["kind"] == "PARTNER_DISCOUNT"] == ["P7"]  # co-sell stands


async def test_ex2_leaves_other_tracks_alone(gql, world):
    await add_policy(gql, world)
    opportunity = await new_opportunity(gql, world)
    assert (await add_reseller(gql, world, opportunity, "alpha"))["errors"] == []
    lines = await quote_lines(gql, world, opportunity, world.partners["alpha"])  # Alpha is on the OPEN track
    assert [line["key"] for line in lines if line["rule"] == "EX2"] == []


LOYALTY = """query($id: ID) { exampleLoyalty(partnerId: $id) { eligible percent partner { name track } } }"""


async def test_example_loyalty_is_a_graphql_field_under_partner_scoping(gql, world):
    """The field the plugin adds (cosell_extend_schema): a partner user reads their own
    partner's standing, never another's; staff name any partner."""
    gamma = await make_partner("Gamma Systems", nickname="GAMMA", track="SELECT")  # async: await it
    own = (await gql(LOYALTY, token=world.tokens["alpha_user"]))["data"]["exampleLoyalty"]
    assert own == {"eligible": False, "percent": None, "partner": {"name": "Alpha Resellers", "track": "OPEN"}}
    other = await gql(LOYALTY, {"id": global_id("Partner", gamma)}, token=world.tokens["alpha_user"])
    assert other["data"]["exampleLoyalty"] is None
    staff = (await gql(LOYALTY, {"id": global_id("Partner", gamma)}, token=world.tokens["cm_amer"]))
    assert staff["data"]["exampleLoyalty"] == {"eligible": True, "percent": "1.5",
                                               "partner": {"name": "Gamma Systems", "track": "SELECT"}}
    anonymous = await gql(LOYALTY, errors=True)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_example_loyalty_exists_only_while_the_plugin_is_loaded(cosell_app_factory, world):
    async with cosell_app_factory(plugins_allow=()) as client:
        body = await GraphQLClient(client)(LOYALTY, token=world.tokens["alpha_user"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
