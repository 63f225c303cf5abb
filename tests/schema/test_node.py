"""Relay `node`: any object by global id, through the entity's scoping function."""

import base64


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


NODE = "query($id: ID!) { node(id: $id) { __typename id ... on Partner { name } ... on User { email } } }"


async def test_staff_reach_any_partner_and_user_by_node(gql, world):
    body = await gql(NODE, {"id": gid("Partner", world.partners["beta"])}, token=world.tokens["sales_ops"])
    assert body["data"]["node"]["name"] == "Beta Distribution"
    body = await gql(NODE, {"id": gid("User", world.user_ids["beta_user"])}, token=world.tokens["cm_amer"])
    assert body["data"]["node"]["email"] == "beta_user@cosell.test"


async def test_partner_user_cannot_reach_another_partner_by_node(gql, world):
    token = world.tokens["alpha_user"]
    own = await gql(NODE, {"id": gid("Partner", world.partners["alpha"])}, token=token)
    assert own["data"]["node"]["name"] == "Alpha Resellers"
    other = await gql(NODE, {"id": gid("Partner", world.partners["beta"])}, token=token)
    assert other["data"]["node"] is None
    other_user = await gql(NODE, {"id": gid("User", world.user_ids["beta_user"])}, token=token)
    assert other_user["data"]["node"] is None
    staff_user = await gql(NODE, {"id": gid("User", world.user_ids["admin"])}, token=token)
    assert staff_user["data"]["node"] is None


async def test_nodes_returns_null_for_what_is_hidden(gql, world):
    ids = [gid("Partner", world.partners["alpha"]), gid("Partner", world.partners["beta"])]
    body = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}, token=world.tokens["alpha_user"])
    assert body["data"]["nodes"][0] is not None and body["data"]["nodes"][1] is None


async def test_node_needs_authentication(gql, world):
    body = await gql(NODE, {"id": gid("Partner", world.partners["alpha"])}, errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_malformed_node_id_is_a_user_error(gql, world):
    body = await gql(NODE, {"id": "not-an-id"}, token=world.tokens["admin"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    unknown_type = await gql(NODE, {"id": gid("Nope", 1)}, token=world.tokens["admin"])
    assert unknown_type["data"]["node"] is None
