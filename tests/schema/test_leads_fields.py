"""Issue 34: the end customer's account (staff only; partners read its name), the exact deal
size, the priority, duplicate warnings and `possibleDuplicates`, through GraphQL."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from partners import business_days
from partners.accounts.tables import Account
from tests.schema.leads import (
    CREATE_LEAD_WARNED,
    UPDATE_LEAD,
    Clock,
    call,
    create_lead,
    ok,
    shared_lead,
)
from tests.schema.sales import create_account, pk

FRIDAY = datetime(2030, 3, 1, 10, 0, tzinfo=timezone.utc)
ACCOUNT = """query($id: ID!) { node(id: $id) { ... on Lead { accountName account { id name } dealSize { amount currency }
  priority } } }"""
DUPLICATES = """query($id: ID!) { node(id: $id) { ... on Lead { possibleDuplicates { reasons lead { id } } } } }"""


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(FRIDAY)
    monkeypatch.setattr(business_days, "now", c)
    return c


def codes(payload: dict) -> list[tuple[str, str | None]]:
    return [(e["code"], e["rule"]) for e in payload["errors"]]


async def read(gql, world, token: str, query: str, lead_id: str) -> dict | None:
    return (await gql(query, {"id": lead_id}, token=world.tokens[token]))["data"]["node"]


async def test_p11_the_account_link_is_staff_data_and_partners_read_only_its_name(gql, world, clock):
    account = await create_account(gql, world, name="Initech Holdings")
    await Account.update({Account.currency: "EUR"}).where(Account.id == pk(account))  # a German customer
    lead = await shared_lead(gql, world, accountId=account, dealSize={"amount": "125000.50"}, priority="HIGH")
    assert lead["accountName"] == "Initech Holdings" and lead["priority"] == "HIGH"
    assert lead["dealSize"] == {"amount": "125000.50", "currency": "EUR"}  # the account's currency
    staff = await read(gql, world, "cm_amer", ACCOUNT, lead["id"])
    assert staff["account"] == {"id": account, "name": "Initech Holdings"}
    partner = await read(gql, world, "alpha_user", ACCOUNT, lead["id"])
    assert partner == {"accountName": "Initech Holdings", "account": None,
                       "dealSize": {"amount": "125000.50", "currency": "EUR"}, "priority": "HIGH"}
    assert await read(gql, world, "beta_user", ACCOUNT, lead["id"]) is None
    # By the list, too.
    listed = await gql("{ leads { nodes { accountName account { id } } } }", token=world.tokens["alpha_user"])
    assert listed["data"]["leads"]["nodes"] == [{"accountName": "Initech Holdings", "account": None}]
    # Cleared by an edit given null.
    cleared = await ok(gql, world, UPDATE_LEAD, "cm_amer", id=lead["id"], accountId=None)
    assert cleared["accountName"] is None and cleared["dealSize"]["currency"] == "EUR"


async def test_p11_an_account_the_caller_does_not_see_is_not_found(gql, world, clock):
    lead = await create_lead(gql, world)
    from server.testing import global_id

    refused = await call(gql, world, UPDATE_LEAD, "sdr", id=lead["id"], accountId=global_id("Account", 999999))
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"] and refused["errors"][0]["field"] == ["accountId"]


async def test_p11_d5_the_deal_size_is_exact_money_in_a_known_currency(gql, world, clock):
    too_fine = await call(gql, world, CREATE_LEAD_WARNED, "sdr", company="Initech", region="AMER",
                          dealSize={"amount": "19.99", "currency": "JPY"})
    assert codes(too_fine) == [("TOO_MANY_DECIMALS", "P11")] and too_fine["errors"][0]["field"] == ["dealSize", "amount"]
    unknown = await call(gql, world, CREATE_LEAD_WARNED, "sdr", company="Initech", region="AMER",
                         dealSize={"amount": "10", "currency": "jpy"})
    assert codes(unknown) == [("INVALID_CURRENCY", "D5")] and unknown["errors"][0]["field"] == ["dealSize", "currency"]
    negative = await call(gql, world, CREATE_LEAD_WARNED, "sdr", company="Initech", region="AMER",
                          dealSize={"amount": "-1"})
    assert codes(negative) == [("NEGATIVE_AMOUNT", "P11")]
    total = await gql("{ leads { totalCount } }", token=world.tokens["admin"])
    assert total["data"]["leads"]["totalCount"] == 0  # nothing written
    exact = await create_lead(gql, world, dealSize={"amount": "9999999999998.1"})
    assert exact["dealSize"] == {"amount": "9999999999998.10", "currency": "USD"}  # the lead's country, every digit
    yen = await ok(gql, world, UPDATE_LEAD, "sdr", id=exact["id"], dealSize={"amount": 1500, "currency": "JPY"})
    assert yen["dealSize"] == {"amount": "1500", "currency": "JPY"}
    assert (await ok(gql, world, UPDATE_LEAD, "sdr", id=exact["id"], dealSize=None))["dealSize"] is None


async def test_p11_likely_duplicates_are_warned_about_never_refused(gql, world, clock):
    first = await create_lead(gql, world, company="Initech, Inc.", contactName="Peter Gibbons",
                              contactEmail="peter@initech.test")
    same_email = await call(gql, world, CREATE_LEAD_WARNED, "sdr", company="Other Co", region="AMER",
                            contactName="Someone", contactEmail="PETER@initech.test")
    assert same_email["errors"] == [] and same_email["lead"]["id"]
    assert same_email["warnings"] == [{"code": "POSSIBLE_DUPLICATE", "possibleDuplicate": {
        "reasons": ["SAME_EMAIL"], "lead": {"id": first["id"]}}}]
    similar = await call(gql, world, CREATE_LEAD_WARNED, "sdr", company="INITECH", region="AMER",
                         contactName="P. Gibbons", contactEmail="")
    assert [w["possibleDuplicate"]["reasons"] for w in similar["warnings"]] == [["SAME_COMPANY_SIMILAR_CONTACT"]]
    other_person = await call(gql, world, CREATE_LEAD_WARNED, "sdr", company="Initech", region="AMER",
                              contactName="Samir Nagheenanajar", contactEmail="samir@initech.test")
    assert other_person["warnings"] == []
    # The field, on every lead, in both directions.
    found = await read(gql, world, "admin", DUPLICATES, first["id"])
    assert found["possibleDuplicates"] == [
        {"reasons": ["SAME_EMAIL"], "lead": {"id": same_email["lead"]["id"]}},
        {"reasons": ["SAME_COMPANY_SIMILAR_CONTACT"], "lead": {"id": similar["lead"]["id"]}}]
    # An edit is checked too; a closed or archived lead is no duplicate.
    edited = await call(gql, world, UPDATE_LEAD, "sdr", id=other_person["lead"]["id"],
                        contactEmail="peter@initech.test")
    assert [(w["possibleDuplicate"]["lead"]["id"], w["possibleDuplicate"]["reasons"]) for w in edited["warnings"]] == [
        (first["id"], ["SAME_EMAIL"]), (same_email["lead"]["id"], ["SAME_EMAIL"])]
    from tests.schema.leads import ARCHIVE_LEAD

    await ok(gql, world, ARCHIVE_LEAD, "sdr", id=similar["lead"]["id"])
    found = await read(gql, world, "admin", DUPLICATES, first["id"])
    assert [d["lead"]["id"] for d in found["possibleDuplicates"]] == [same_email["lead"]["id"],
                                                                     other_person["lead"]["id"]]


async def test_p11_a_partner_sees_duplicates_only_among_its_own_leads(gql, world, clock):
    alpha = await shared_lead(gql, world)
    beta = await shared_lead(gql, world, partner="beta", token="cm_emea", region="EMEA", country="DE")
    assert [d["lead"]["id"] for d in (await read(gql, world, "admin", DUPLICATES, alpha["id"]))[
        "possibleDuplicates"]] == [beta["id"]]
    assert (await read(gql, world, "alpha_user", DUPLICATES, alpha["id"]))["possibleDuplicates"] == []
    assert (await read(gql, world, "beta_user", DUPLICATES, beta["id"]))["possibleDuplicates"] == []


async def test_p11_the_leads_page_with_the_new_fields_costs_the_same_statements_for_more_leads(gql, world, clock):
    account = await create_account(gql, world, name="Initech Holdings")
    query = """{ leads(first: 50) { nodes { accountName account { id } partnerContact { id } dealSize { amount }
      extensionRequests { status } possibleDuplicates { reasons lead { id } } } } }"""

    async def statements() -> int:
        body = await gql(query, token=world.tokens["admin"])
        assert "errors" not in body
        return body["extensions"]["sqlStatements"]

    await shared_lead(gql, world, accountId=account)
    few = await statements()
    for index in range(4):
        await shared_lead(gql, world, company=f"Globex {index}", accountId=account, contactEmail=f"g{index}@x.test")
    assert await statements() == few
