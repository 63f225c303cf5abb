"""A request's objects are freed when it ends (issue 38 item 3): no reference cycle holds
its context, its loaders or the rows they read. Before, graphql-core's execution context
(its async helpers are its own bound methods) and the loaders (their load functions held
the context) were cycles, so every request's rows waited for the cyclic garbage collector,
whose collections then walked them: a tenth of a page's CPU (bench/RESULTS.md)."""

from __future__ import annotations

import gc

from schema.core.context import Context
from schema.core.loaders import Loaders, RequestLoader

QUERY = "{ viewer { id name } opportunities(first: 5) { totalCount nodes { id name account { name } } } }"


async def test_a_finished_request_leaves_nothing_for_the_garbage_collector(gql, world):
    await gql(QUERY, token=world.tokens["ae"])  # first-request caches are not the request's
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        body = await gql(QUERY, token=world.tokens["ae"])
        gc.collect()
        left = [type(o).__name__ for o in gc.garbage if isinstance(o, (Context, Loaders, RequestLoader))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert body["data"]["viewer"]["name"]
    assert left == []
