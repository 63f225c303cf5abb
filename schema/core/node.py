"""Relay `node`/`nodes` lookups that never leak: every Node type resolves through its
own `resolve_nodes`, which applies that entity's scoping function."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from schema.core.context import Info
from schema.core.errors import InvalidArgument, InvalidId
from schema.core.rows import database_id
from schema.core.access import AUTHENTICATED, access


def parse_global_id(value: str, field: str = "id") -> relay.GlobalID:
    try:
        return relay.GlobalID.from_id(value)
    except (GlobalIDValueError, ValueError) as exc:
        raise InvalidId(f"{value!r} is not a valid node id.", field=field) from exc


def node_type(info, type_name: str):
    """The Python class of a Node type by GraphQL name, or None."""
    type_def = info.schema.get_type_by_name(type_name)
    origin = getattr(type_def, "origin", None)
    if origin is None or not isinstance(origin, type) or not issubclass(origin, relay.Node):
        return None
    return origin


def decode_node_id(info, value: str, expected: type[relay.Node], field: str = "id") -> int:
    """The database id behind a global id of the expected type (BAD_USER_INPUT otherwise)."""
    gid = parse_global_id(value, field)
    expected_name = expected.__strawberry_definition__.name  # type: ignore[attr-defined]
    if gid.type_name != expected_name:
        raise InvalidId(f"Expected a {expected_name} id.", field=field)
    pk = database_id(gid.node_id)
    if pk is None:
        raise InvalidId(f"{value!r} is not a valid node id.", field=field)
    return pk


async def _resolve(info, ids: list[str]) -> list[relay.Node | None]:
    parsed = [parse_global_id(i) for i in ids]
    by_type: dict[str, list[str]] = {}
    for gid in parsed:
        by_type.setdefault(gid.type_name, []).append(gid.node_id)
    found: dict[tuple[str, str], relay.Node | None] = {}
    for type_name, node_ids in by_type.items():
        cls = node_type(info, type_name)
        if cls is None:
            continue
        results = await cls.resolve_nodes(info=info, node_ids=node_ids, required=False)
        for node_id, result in zip(node_ids, results):
            found[(type_name, node_id)] = result
    return [found.get((gid.type_name, gid.node_id)) for gid in parsed]


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any object by its global id, if you may see it.", extensions=[access(AUTHENTICATED)]
    )
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return (await _resolve(info, [id]))[0]

    @strawberry.field(
        description="Objects by global id (null for those you may not see).", extensions=[access(AUTHENTICATED)]
    )
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[relay.Node | None]:
        if len(ids) > info.context.settings.max_page_size:
            raise InvalidArgument(f"At most {info.context.settings.max_page_size} ids.", field="ids")
        return await _resolve(info, ids)
