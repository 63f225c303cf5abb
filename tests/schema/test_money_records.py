"""Issue 40 through GraphQL: accounts, opportunities and deal registrations carry exact
amounts in their currency (D5). Money fields return the exact digits (the suite runs on
both engines, so "1234.50", "1235" and "1.235" are what SQLite and PostgreSQL both give
back); the deprecated Float fields and inputs still work; MoneyInput refusals are typed
UserErrors and nothing is written."""

from __future__ import annotations

import json

from partners.infra.tables import OutboxMessage
from partners.opportunities.tables import Opportunity
from partners.registrations.tables import DealRegistration
from tests.schema.registrations import REGISTER, RESUBMIT, RETURN, approved, call, deal_input, ok
from tests.schema.sales import ERRORS, create_account, only_error

MONEY = "currency amount netArr initialIacv amountMoney { amount currency } netArrMoney { amount currency }"
CREATE = f"""mutation($input: CreateOpportunityInput!) {{
  createOpportunity(input: $input) {{ opportunity {{ id {MONEY} }} {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdateOpportunityInput!) {{
  updateOpportunity(input: $input) {{ opportunity {{ id {MONEY} }} {ERRORS} }} }}"""
ACCOUNT = """query($id: ID!) { node(id: $id) { ... on Account { currency carr carrMoney { amount currency } } } }"""
UPDATE_ACCOUNT = f"""mutation($input: UpdateAccountInput!) {{
  updateAccount(input: $input) {{ account {{ currency carr carrMoney {{ amount currency }} }} {ERRORS} }} }}"""
REG_MONEY = "id currency estimatedAmount estimatedAmountMoney { amount currency } opportunity { id currency }"


async def create(gql, world, account_id: str, **fields) -> dict:
    body = await gql(CREATE, {"input": {"accountId": account_id, "name": "Deal", **fields}}, token=world.tokens["ae"])
    return body["data"]["createOpportunity"]


async def test_amounts_read_back_exactly_in_their_currency_on_both_engines(gql, world):
    us = await create_account(gql, world, country="US")
    jp = await create_account(gql, world, name="Tokyo KK", country="JP", region="APJ")
    bh = await create_account(gql, world, name="Manama WLL", country="BH", region="EMEA")
    usd = await create(gql, world, us, amountMoney={"amount": "1234.50"}, netArrMoney={"amount": "1000"})
    jpy = await create(gql, world, jp, amountMoney={"amount": "1235", "currency": "JPY"})
    bhd = await create(gql, world, bh, amountMoney={"amount": "1.235"}, netArr=0.5)
    assert [p["errors"] for p in (usd, jpy, bhd)] == [[], [], []]
    usd, jpy, bhd = usd["opportunity"], jpy["opportunity"], bhd["opportunity"]
    assert usd["currency"] == "USD" and usd["amountMoney"] == {"amount": "1234.50", "currency": "USD"}
    assert usd["netArrMoney"] == {"amount": "1000.00", "currency": "USD"}, "stored at the currency's decimals"
    assert jpy["currency"] == "JPY", "the account's country gives the default currency"
    assert jpy["amountMoney"] == {"amount": "1235", "currency": "JPY"}
    assert bhd["amountMoney"] == {"amount": "1.235", "currency": "BHD"}
    assert bhd["netArrMoney"] == {"amount": "0.500", "currency": "BHD"}, "a Float input is read by its repr"
    # The deprecated Float fields still answer, as floats.
    assert (usd["amount"], jpy["amount"], bhd["amount"]) == (1234.5, 1235.0, 1.235)
    rows = {r["currency"]: r["amount"] for r in await Opportunity.select(Opportunity.currency, Opportunity.amount)}
    # As the API writes them (PostgreSQL's driver may give 1000000 as Decimal("1.00E+6"): equal, other notation).
    assert {k: format(v, "f") for k, v in rows.items()} == {"USD": "1234.50", "JPY": "1235", "BHD": "1.235"}
    # Accounts: the country's currency, cARR exact.
    de = await create_account(gql, world, name="Berlin GmbH", country="DE", region="EMEA",
                              carrMoney={"amount": "29999.99"})
    body = await gql(ACCOUNT, {"id": de}, token=world.tokens["admin"])
    assert body["data"]["node"] == {"currency": "EUR", "carr": 29999.99,
                                    "carrMoney": {"amount": "29999.99", "currency": "EUR"}}
    chosen = await create_account(gql, world, name="Ltd", country="DE", region="EMEA", currency="GBP", carr=12.5)
    body = await gql(ACCOUNT, {"id": chosen}, token=world.tokens["admin"])
    assert body["data"]["node"]["carrMoney"] == {"amount": "12.50", "currency": "GBP"}


async def test_opportunity_currency_input_and_updates_through_money_or_float(gql, world):
    us = await create_account(gql, world, country="US")
    opp = (await create(gql, world, us, currency="EUR", amount=100.25))["opportunity"]
    assert opp["currency"] == "EUR" and opp["amountMoney"] == {"amount": "100.25", "currency": "EUR"}
    body = await gql(UPDATE, {"input": {"id": opp["id"], "amountMoney": {"amount": "2000.10", "currency": "EUR"},
                                        "netArr": 1500.5}}, token=world.tokens["ae"])
    updated = body["data"]["updateOpportunity"]
    assert updated["errors"] == []
    assert updated["opportunity"]["amountMoney"]["amount"] == "2000.10"
    assert updated["opportunity"]["netArrMoney"] == {"amount": "1500.50", "currency": "EUR"}
    body = await gql(UPDATE, {"input": {"id": opp["id"], "netArrMoney": None}}, token=world.tokens["ae"])
    assert body["data"]["updateOpportunity"]["opportunity"]["netArrMoney"] is None, "null clears it"


async def test_money_input_refusals_are_typed_and_write_nothing(gql, world):
    us = await create_account(gql, world, country="US")
    jp = await create_account(gql, world, name="Tokyo KK", country="JP", region="APJ")
    cases = [
        (us, {"amountMoney": {"amount": "12.345"}}, ("TOO_MANY_DECIMALS", ["amountMoney", "amount"])),
        (jp, {"amountMoney": {"amount": "1.5"}}, ("TOO_MANY_DECIMALS", ["amountMoney", "amount"])),
        (jp, {"amount": 1.5}, ("TOO_MANY_DECIMALS", ["amount"])),
        (us, {"amount": 12.345}, ("TOO_MANY_DECIMALS", ["amount"])),
        (us, {"amountMoney": {"amount": "-1"}}, ("NEGATIVE_AMOUNT", ["amountMoney", "amount"])),
        (us, {"amountMoney": {"amount": "10", "currency": "usd"}}, ("INVALID_CURRENCY", ["amountMoney", "currency"])),
        (us, {"currency": "XYZ", "amount": 10.0}, ("INVALID_CURRENCY", ["currency"])),
        (us, {"amountMoney": {"amount": "10", "currency": "EUR"}}, ("CURRENCY_MISMATCH", ["amountMoney", "currency"])),
        (us, {"amount": 10.0, "amountMoney": {"amount": "10"}}, ("AMBIGUOUS_AMOUNT", ["amountMoney"])),
    ]
    for account, fields, (code, field) in cases:
        payload = await create(gql, world, account, **fields)
        error = only_error(payload)
        assert (error["code"], error["field"]) == (code, field), (fields, error)
        assert payload["opportunity"] is None
    assert await Opportunity.count() == 0, "nothing was written"

    opp = (await create(gql, world, jp, amountMoney={"amount": "5000"}))["opportunity"]
    body = await gql(UPDATE, {"input": {"id": opp["id"], "amountMoney": {"amount": "10", "currency": "USD"}}},
                     token=world.tokens["ae"])
    error = only_error(body["data"]["updateOpportunity"])
    assert (error["code"], error["rule"]) == ("CURRENCY_MISMATCH", "D5")
    body = await gql(UPDATE, {"input": {"id": opp["id"], "netArr": 1.5, "name": "Renamed"}}, token=world.tokens["ae"])
    assert only_error(body["data"]["updateOpportunity"])["code"] == "TOO_MANY_DECIMALS"
    row = await Opportunity.select(Opportunity.name, Opportunity.amount, Opportunity.version).first()
    assert (row["name"], format(row["amount"], "f"), row["version"]) == ("Deal", "5000", 1), "nothing changed"

    body = await gql(UPDATE_ACCOUNT, {"input": {"id": jp, "carrMoney": {"amount": "0.5"}}},
                     token=world.tokens["sales_ops"])
    error = only_error(body["data"]["updateAccount"])
    assert (error["code"], error["field"], error["rule"]) == ("TOO_MANY_DECIMALS", ["carrMoney", "amount"], "A7")
    body = await gql(UPDATE_ACCOUNT, {"input": {"id": jp, "carr": 10.0, "carrMoney": {"amount": "10"}}},
                     token=world.tokens["sales_ops"])
    assert only_error(body["data"]["updateAccount"])["code"] == "AMBIGUOUS_AMOUNT"
    body = await gql(UPDATE_ACCOUNT, {"input": {"id": jp, "carrMoney": {"amount": "31000"}}},
                     token=world.tokens["sales_ops"])
    assert body["data"]["updateAccount"]["account"]["carrMoney"] == {"amount": "31000", "currency": "JPY"}


async def test_registration_currency_defaults_and_local_currency(gql, world):
    """D5: a registration is in the customer's currency unless the partner registers in its
    own; approval creates the opportunity in the registration's currency."""
    # A new prospect in France: its country's currency.
    fr = await call(gql, world, REGISTER.replace("{ id type", f"{{ {REG_MONEY} type"), "alpha_user",
                    **deal_input({"prospect": {"name": "Paris SAS", "country": "FR", "region": "EMEA"}},
                                 estimatedAmount=None, estimatedAmountMoney={"amount": "17400.50"}))
    assert fr["errors"] == []
    assert fr["dealRegistration"]["estimatedAmountMoney"] == {"amount": "17400.50", "currency": "EUR"}
    assert fr["dealRegistration"]["estimatedAmount"] == 17400.5
    # A partner registering a US customer in euros (its local currency), through the MoneyInput.
    local = await call(gql, world, REGISTER.replace("{ id type", f"{{ {REG_MONEY} type"), "alpha_user",
                       **deal_input({"prospect": {"name": "Acme, Inc", "country": "US"}}, estimatedAmount=None,
                                    estimatedAmountMoney={"amount": "9000", "currency": "EUR"}))
    assert local["errors"] == [] and local["dealRegistration"]["currency"] == "EUR"
    # `currency` and a MoneyInput in another currency: refused, nothing written.
    before = await DealRegistration.count()
    refused = await call(gql, world, REGISTER, "alpha_user",
                         **deal_input({"prospect": {"name": "Other, Inc"}}, currency="GBP", estimatedAmount=None,
                                      estimatedAmountMoney={"amount": "1", "currency": "EUR"}))
    assert only_error(refused)["code"] == "CURRENCY_MISMATCH"
    refused = await call(gql, world, REGISTER, "alpha_user",
                         **deal_input({"prospect": {"name": "Other, Inc"}}, estimatedAmountMoney={"amount": "1"}))
    assert only_error(refused)["code"] == "AMBIGUOUS_AMOUNT"
    assert await DealRegistration.count() == before

    reg_id = local["dealRegistration"]["id"]
    done = await approved(gql, world, reg_id)
    body = await gql("query($id: ID!) { node(id: $id) { ... on Opportunity { currency amountMoney { amount } } } }",
                     {"id": done["opportunity"]["id"]}, token=world.tokens["admin"])
    assert body["data"]["node"] == {"currency": "EUR", "amountMoney": {"amount": "9000.00"}}

    payloads = [json.loads(r["payload"]) for r in await OutboxMessage.select(OutboxMessage.payload).where(
        OutboxMessage.kind == "deal_registration_event")]
    snapshots = [p["registration"] for p in payloads]
    assert {"estimated_amount": "9000.00", "currency": "EUR"}.items() <= snapshots[-1].items(), \
        "amounts travel as strings with their currency"


async def test_resubmission_is_checked_against_the_registrations_currency(gql, world):
    reg = await call(gql, world, REGISTER.replace("{ id type", f"{{ {REG_MONEY} type"), "alpha_user",
                     **deal_input({"prospect": {"name": "Tokyo KK", "country": "JP", "region": "APJ"}},
                                  estimatedAmount=1000000.0))
    assert reg["errors"] == [] and reg["dealRegistration"]["currency"] == "JPY"
    reg_id = reg["dealRegistration"]["id"]
    await ok(gql, world, RETURN, "admin", id=reg_id, reason="Which business unit?")
    for fields, code in (({"estimatedAmount": 10.5}, "TOO_MANY_DECIMALS"),
                         ({"estimatedAmountMoney": {"amount": "10", "currency": "USD"}}, "CURRENCY_MISMATCH")):
        payload = await call(gql, world, RESUBMIT, "alpha_user", id=reg_id, **fields)
        assert only_error(payload)["code"] == code
    row = await DealRegistration.select(DealRegistration.status, DealRegistration.estimated_amount).first()
    assert (row["status"], format(row["estimated_amount"], "f")) == ("RETURNED", "1000000")
    payload = await call(gql, world, RESUBMIT.replace("{ id type", f"{{ {REG_MONEY} type"), "alpha_user", id=reg_id,
                         estimatedAmountMoney={"amount": "1250000"})
    assert payload["errors"] == []
    assert payload["dealRegistration"]["estimatedAmountMoney"] == {"amount": "1250000", "currency": "JPY"}


async def test_partner_users_read_their_own_registrations_amounts_only(gql, world):
    query = f"{{ dealRegistrations(first: 10) {{ nodes {{ {REG_MONEY} }} }} }}"
    await call(gql, world, REGISTER, "alpha_user", **deal_input(estimatedAmount=None,
                                                               estimatedAmountMoney={"amount": "111.11"}))
    await call(gql, world, REGISTER, "beta_user", **deal_input({"prospect": {"name": "Beta's customer"}},
                                                              estimatedAmount=None,
                                                              estimatedAmountMoney={"amount": "222.22"}))
    alpha = (await gql(query, token=world.tokens["alpha_user"]))["data"]["dealRegistrations"]["nodes"]
    beta = (await gql(query, token=world.tokens["beta_user"]))["data"]["dealRegistrations"]["nodes"]
    assert [n["estimatedAmountMoney"]["amount"] for n in alpha] == ["111.11"]
    assert [n["estimatedAmountMoney"]["amount"] for n in beta] == ["222.22"]
    staff = (await gql(query, token=world.tokens["admin"]))["data"]["dealRegistrations"]["nodes"]
    assert sorted(n["estimatedAmountMoney"]["amount"] for n in staff) == ["111.11", "222.22"]


async def test_decimal_inputs_out_of_range_are_client_errors(gql, world):
    """A Decimal the scalar cannot take is a validation error, never an internal one; a
    huge but well-formed amount is the UserError AMOUNT_TOO_LARGE."""
    us = await create_account(gql, world, country="US")
    for literal in ("1e999999", "NaN", "abc", "0.000000000000000000001"):
        body = await gql(CREATE, {"input": {"accountId": us, "name": "Deal", "amountMoney": {"amount": literal}}},
                         token=world.tokens["ae"], errors=True)
        assert body["errors"] and all(e["extensions"]["code"] != "INTERNAL_SERVER_ERROR" for e in body["errors"])
        assert body.get("data") is None, literal
    error = only_error(await create(gql, world, us, amountMoney={"amount": "99999999999999999999"}))
    assert (error["code"], error["field"]) == ("AMOUNT_TOO_LARGE", ["amountMoney", "amount"])
    assert await Opportunity.count() == 0
