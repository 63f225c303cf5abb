"""Per-request DataLoaders, keyed by their load function.

A load function takes the request context first (for scoping) and a list of keys:

    async def load_partners(context, ids: list[int]) -> list[Partner | None]: ...

    partner = await info.context.loaders(load_partners).load(partner_id)

One DataLoader per function per request: every field that asks for the same kind of
row within a request shares one batch, so a list of N items costs one query, not N.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Awaitable, Callable, Hashable, Iterable, TypeVar

from strawberry.dataloader import DataLoader

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Loaders:
    def __init__(self, context: Any) -> None:
        self._context = context
        self._loaders: dict[Callable, DataLoader] = {}

    def __call__(self, load_fn: Callable[[Any, list[K]], Awaitable[list[V]]]) -> DataLoader[K, V]:
        loader = self._loaders.get(load_fn)
        if loader is None:
            loader = DataLoader(load_fn=partial(load_fn, self._context))
            self._loaders[load_fn] = loader
        return loader


def aligned(keys: Iterable[K], rows: Iterable[dict], key: str = "id") -> list[dict | None]:
    """Rows in the order of `keys`, None where a key has no (visible) row."""
    by_key = {row[key]: row for row in rows}
    return [by_key.get(k) for k in keys]


def grouped(keys: Iterable[K], rows: Iterable[dict], key: str) -> list[list[dict]]:
    """For one-to-many loaders: the rows of each key, in the order of `keys`."""
    groups: dict[Any, list[dict]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return [groups.get(k, []) for k in keys]
