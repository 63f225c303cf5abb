"""Plain method resolvers are called without Strawberry's per-field wrapper
(schema/core/direct_resolvers.py, issue 17); fields with arguments, field extensions
(staff-only visibility, access checks) or a root parameter keep Strawberry's."""

from schema import build_schema


def _resolver_name(schema, type_name: str, field_name: str) -> str:
    return getattr(schema._schema.type_map[type_name].fields[field_name].resolve, "__qualname__", "")


def test_plain_resolvers_are_direct_and_guarded_ones_keep_strawberrys_wrapper():
    schema = build_schema()
    for type_name, field_name in [("Opportunity", "account"), ("Opportunity", "contacts"),
                                  ("DealRegistration", "conflicts"), ("CoSellPlan", "progress")]:
        assert _resolver_name(schema, type_name, field_name).startswith("direct:"), (type_name, field_name)
    # Staff only (visible_to, a field extension): partner users must keep reading null.
    assert "from_resolver" in _resolver_name(schema, "Opportunity", "requiresClosePlan")
    # Arguments (a nested page) and root fields with access checks keep Strawberry's.
    assert "from_resolver" in _resolver_name(schema, "User", "apiTokens")
    assert "from_resolver" in _resolver_name(schema, "Query", "viewer")


async def test_a_direct_resolver_gets_the_request_context_through_strawberrys_info(gql, world):
    # customerName reads info.context (partner users read the name they typed, R9).
    data = await gql("{ dealRegistrations(first: 5) { nodes { customerName opportunity { id } } } }",
                     token=world.tokens["alpha_user"])
    assert "errors" not in data, data
