"""Issue 16: input that used to reach the database and fail there (500s) is refused first,
as a typed error, and writes nothing; on SQLite and PostgreSQL."""

import base64

from server.testing import global_id

NODE = "query($id: ID!) { node(id: $id) { id } }"
WITHDRAW = "mutation($id: ID!) { withdrawDealRegistration(input: {id: $id, note: \"x\"}) { errors { code } } }"


def cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def test_ids_beyond_the_database_integers_name_nothing(gql, world):
    """Item 11: `DealRegistration:99999999999999999999999` is a missing node for `node`,
    a BAD_USER_INPUT for a mutation, never an internal error."""
    admin = world.tokens["admin"]
    for pk in ("99999999999999999999999", str(2**63), str(2**31)):
        huge = base64.b64encode(f"DealRegistration:{pk}".encode()).decode()
        assert (await gql(NODE, {"id": huge}, token=admin))["data"]["node"] is None
        body = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [huge]}, token=admin)
        assert body["data"]["nodes"] == [None]
        refused = await gql(WITHDRAW, {"id": huge}, token=world.tokens["alpha_user"], errors=True)
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", refused
    partner = await gql(NODE, {"id": global_id("Partner", world.partners["alpha"])}, token=admin)
    assert partner["data"]["node"] is not None


async def test_cursors_beyond_any_page_are_invalid(gql, world):
    """Item 11: `offset:9223372036854775807` is an invalid cursor (BAD_USER_INPUT, field
    `after`), in root connections and in the locator's input."""
    admin = world.tokens["admin"]
    for text in ("offset:9223372036854775807", "offset:" + "9" * 30, "offset:2147483648"):
        body = await gql("query($after: String) { accounts(after: $after) { totalCount nodes { id } } }",
                         {"after": cursor(text)}, token=admin, errors=True)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
        body = await gql("query($after: String) { partnerLocator(input: {after: $after}) { totalCount } }",
                         {"after": cursor(text)}, token=admin, errors=True)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    fine = await gql("query($after: String) { accounts(after: $after) { totalCount } }",
                     {"after": cursor("offset:5")}, token=admin)
    assert fine["data"]["accounts"]["totalCount"] == 0
