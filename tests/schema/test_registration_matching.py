"""D1: a registered prospect is matched to the existing account it is, by the account's
current website and name, whatever their length (issue 38 item 5: on SQLite the
prefilter is a trigram index, `account_match`, kept current by triggers on `account`,
migration 2026-12-07T20:30; on PostgreSQL pg_trgm's GIN indexes)."""

from partners.accounts.tables import Account
from tests.schema.registrations import register
from tests.schema.sales import create_account

STAFF_VIEW = "query($id: ID!) { node(id: $id) { ... on DealRegistration { customerName customerMatched } } }"
UPDATE_ACCOUNT = """mutation($input: UpdateAccountInput!) {
  updateAccount(input: $input) { errors { code message } } }"""


async def _staff_view(gql, world, registration: dict) -> dict:
    return (await gql(STAFF_VIEW, {"id": registration["id"]}, token=world.tokens["cm_amer"]))["data"]["node"]


async def test_a_prospect_matches_an_account_by_its_current_website_and_name(gql, world):
    acme = await create_account(gql, world, name="Acme, Inc", website="https://www.acme.test/")
    body = await gql(UPDATE_ACCOUNT, {"input": {"id": acme, "name": "Umbrella Corporation",
                                                "website": "https://umbrella.test/"}}, token=world.tokens["sales_ops"])
    assert body["data"]["updateAccount"]["errors"] == []
    by_website = await register(gql, world, customer={"prospect": {"name": "Someone", "website": "UMBRELLA.test/x"}})
    by_name = await register(gql, world, customer={"prospect": {"name": "umbrella corp"}}, products=["security"])
    for registration in (by_website, by_name):
        assert await _staff_view(gql, world, registration) == {"customerName": "Umbrella Corporation",
                                                                "customerMatched": True}
    # The website and name it had before are no longer it: a new prospect account each.
    by_old_website = await register(gql, world, customer={"prospect": {"name": "Nobody", "website": "acme.test"}},
                                    products=["observability"])
    by_old_name = await register(gql, world, customer={"prospect": {"name": "Acme Inc"}}, products=["ci-cd", "security"])
    assert (await _staff_view(gql, world, by_old_website))["customerMatched"] is False
    assert (await _staff_view(gql, world, by_old_name))["customerMatched"] is False
    assert await Account.count() == 3


async def test_a_short_company_name_and_a_long_one_both_match(gql, world):
    # "hp" has no trigram: its prefilter reads the accounts; "globex" is served by the index.
    await create_account(gql, world, name="HP Inc")
    await create_account(gql, world, name="Globex Corporation", website="")
    short = await register(gql, world, customer={"prospect": {"name": "hp, inc."}})
    long = await register(gql, world, customer={"prospect": {"name": "GLOBEX"}}, products=["security"])
    assert await _staff_view(gql, world, short) == {"customerName": "HP Inc", "customerMatched": True}
    assert await _staff_view(gql, world, long) == {"customerName": "Globex Corporation", "customerMatched": True}
    assert await Account.count() == 2
