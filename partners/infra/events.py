"""In-process domain events: how a domain tells the domains above it what happened, without
importing them.

A domain declares its events (frozen dataclasses) in its own `events.py` and publishes one with
`await publish(event)` where the fact happens; a domain above it reacts with
`@subscribe(EventType)` on an async handler. Handlers are awaited one after the other, in the
order they subscribed, inside the publisher's transaction: what they write commits or rolls back
with the publisher's write, and a `DomainError` a handler raises refuses that write as a whole.
Side effects for the outside world still go through the outbox (after commit), never here.

Subscriptions are made when the subscribing modules are imported; `partners/__init__.py` hands
`on_first_use` the function that imports them all, in order, and the first lookup of the
handlers (every `publish`) runs it: no event is published without them, and a process that
publishes none (a `cosell` command refused on its settings) does not import the domains.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Awaitable, Callable

Handler = Callable[[Any], Awaitable[None]]

_handlers: dict[type, list[Handler]] = defaultdict(list)
_loaders: list[Callable[[], None]] = []


def on_first_use(loader: Callable[[], None]) -> None:
    """Run `loader` (which imports subscribing modules) before the first lookup of handlers."""
    _loaders.append(loader)


def subscribe(event_type: type) -> Callable[[Handler], Handler]:
    """Decorator: call `handler(event)` whenever an event of `event_type` is published."""

    def register(handler: Handler) -> Handler:
        if handler not in _handlers[event_type]:
            _handlers[event_type].append(handler)
        return handler

    return register


def subscribers(event_type: type) -> tuple[Handler, ...]:
    while _loaders:
        _loaders.pop(0)()
    return tuple(_handlers.get(event_type, ()))


async def publish(event: Any) -> None:
    """Run every handler subscribed to the event's type, in subscription order."""
    for handler in subscribers(type(event)):
        await handler(event)
