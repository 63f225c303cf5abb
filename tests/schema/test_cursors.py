"""Keyset cursors (issue 20): lists that grow or shrink while a portal pages through them
never repeat or skip an entry; a forged, edited or stale cursor is a clear INVALID_CURSOR."""

import base64

from partners.accounts.tables import Account
from tests.schema.cosell import create_plan
from tests.schema.registrations import register
from tests.schema.sales import add_partner_ok, create_account, create_opportunity

CREATE_TOKEN = "mutation($name: String!) { createApiToken(input: {name: $name}) { token errors { code } } }"
AUDIT_PAGE = """query($first: Int, $after: String) { auditLog(first: $first, after: $after) {
  pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id inputSummary } } } }"""
REGISTRATIONS_PAGE = """query($first: Int, $after: String) { dealRegistrations(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { id } } }"""
PLANS_PAGE = """query($first: Int, $after: String) { coSellPlans(first: $first, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { id } } }"""
ACCOUNTS_PAGE = """query($first: Int, $after: String) { accounts(first: $first, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { id name } } }"""


async def _page(gql, query, token, first, after=None):
    body = await gql(query, {"first": first, "after": after}, token=token)
    (connection,) = body["data"].values()
    return connection


async def _refusal(gql, query, token, after) -> dict:
    body = await gql(query, {"first": 2, "after": after}, token=token, errors=True)
    (error,) = body["errors"]
    return error


async def test_audit_log_newest_first_never_repeats_an_entry_when_a_mutation_lands_between_pages(gql, world):
    for i in range(5):
        await gql(CREATE_TOKEN, {"name": f"crm-{i}"}, token=world.tokens["ae"])
    admin = world.tokens["admin"]
    first = await _page(gql, AUDIT_PAGE, admin, 2)
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    await gql(CREATE_TOKEN, {"name": "between-pages"}, token=world.tokens["ae"])
    second = await _page(gql, AUDIT_PAGE, admin, 2, first["pageInfo"]["endCursor"])
    third = await _page(gql, AUDIT_PAGE, admin, 2, second["pageInfo"]["endCursor"])
    summaries = [e["node"]["inputSummary"] for page in (first, second, third) for e in page["edges"]]
    assert [s.split('"name": "')[1].split('"')[0] for s in summaries] == [f"crm-{i}" for i in (4, 3, 2, 1, 0)]
    assert second["pageInfo"]["hasPreviousPage"] and not third["pageInfo"]["hasNextPage"]


async def test_paging_goes_on_after_the_cursor_row_is_deleted(gql, world):
    for name in ("Bravo", "Delta", "Foxtrot", "Hotel"):
        await create_account(gql, world, name=name)
    token = world.tokens["sales_ops"]
    first = await _page(gql, ACCOUNTS_PAGE, token, 2)
    await Account.delete().where(Account.name.is_in(["Delta", "Foxtrot"]))  # the cursor's row and the next
    second = await _page(gql, ACCOUNTS_PAGE, token, 2, first["pageInfo"]["endCursor"])
    assert [n["name"] for n in second["nodes"]] == ["Hotel"] and not second["pageInfo"]["hasNextPage"]


async def test_registrations_growing_while_paging_neither_repeat_nor_skip(gql, world):
    """The review queue is in submission order (P4): new registrations join at its end."""
    ids = [(await register(gql, world, customer={"prospect": {"name": f"Customer {i}"}}))["id"] for i in range(3)]
    token = world.tokens["alpha_user"]
    first = await _page(gql, REGISTRATIONS_PAGE, token, 2)
    ids.append((await register(gql, world, customer={"prospect": {"name": "Customer 3"}}))["id"])
    second = await _page(gql, REGISTRATIONS_PAGE, token, 2, first["pageInfo"]["endCursor"])
    ids.append((await register(gql, world, customer={"prospect": {"name": "Customer 4"}}))["id"])
    third = await _page(gql, REGISTRATIONS_PAGE, token, 2, second["pageInfo"]["endCursor"])
    seen = [n["id"] for page in (first, second, third) for n in page["nodes"]]
    assert seen == ids and not third["pageInfo"]["hasNextPage"] and third["totalCount"] == 5


async def _plan(gql, world, name: str) -> dict:
    account = await create_account(gql, world, name=name)
    opportunity = await create_opportunity(gql, world, account, name=f"ALPHA - {name}- 50 Premium")
    await add_partner_ok(gql, world, opportunity["id"], "alpha", "RESELLER", is_primary=True)
    return await create_plan(gql, world, opportunity["id"], "alpha")


async def test_plans_newest_first_growing_while_paging_never_repeat(gql, world):
    old = [(await _plan(gql, world, f"Customer {i}"))["id"] for i in range(3)]
    token = world.tokens["sales_ops"]
    first = await _page(gql, PLANS_PAGE, token, 2)
    newer = (await _plan(gql, world, "Customer 3"))["id"]
    second = await _page(gql, PLANS_PAGE, token, 2, first["pageInfo"]["endCursor"])
    seen = [n["id"] for page in (first, second) for n in page["nodes"]]
    assert seen == list(reversed(old)) and newer not in seen and not second["pageInfo"]["hasNextPage"]


async def test_accounts_by_name_keep_their_place_when_an_earlier_name_is_added(gql, world):
    for name in ("Bravo", "Delta", "Foxtrot", "Hotel"):
        await create_account(gql, world, name=name)
    token = world.tokens["sales_ops"]
    first = await _page(gql, ACCOUNTS_PAGE, token, 2)
    await create_account(gql, world, name="Alpha")  # sorts before the cursor: not on later pages
    await create_account(gql, world, name="Echo")  # sorts after it: on the next page
    second = await _page(gql, ACCOUNTS_PAGE, token, 3, first["pageInfo"]["endCursor"])
    names = [n["name"] for page in (first, second) for n in page["nodes"]]
    assert names == ["Bravo", "Delta", "Echo", "Foxtrot", "Hotel"]


async def test_forged_stale_and_foreign_cursors_are_invalid_cursor_errors(gql, world):
    await gql(CREATE_TOKEN, {"name": "crm"}, token=world.tokens["ae"])
    await gql(CREATE_TOKEN, {"name": "crm2"}, token=world.tokens["ae"])
    admin = world.tokens["admin"]
    audit_cursor = (await _page(gql, AUDIT_PAGE, admin, 1))["pageInfo"]["endCursor"]
    raw = base64.urlsafe_b64decode(audit_cursor + "=" * (-len(audit_cursor) % 4))
    edited = base64.urlsafe_b64encode(raw.replace(b"[", b"[9", 1)).decode()
    stale = base64.b64encode(b"offset:1").decode()
    cases = {"not-a-cursor": "malformed", edited: "malformed", stale: "stale"}
    for cursor, reason in cases.items():
        error = await _refusal(gql, AUDIT_PAGE, admin, cursor)
        assert error["extensions"]["code"] == "INVALID_CURSOR", cursor
        assert error["extensions"]["field"] == ["after"]
        assert error["extensions"]["reason"].startswith(reason)
        assert error["extensions"]["requestId"]
    foreign = await _refusal(gql, ACCOUNTS_PAGE, world.tokens["sales_ops"], audit_cursor)
    assert (foreign["extensions"]["code"], foreign["extensions"]["reason"]) == (
        "INVALID_CURSOR", "made for another list or ordering")
