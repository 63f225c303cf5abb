"""A per-process sliding-window limit for anonymous writes (self-service partner applications)."""

from __future__ import annotations

import time
from collections import deque


class SlidingWindow:
    """At most `limit` calls per `seconds` for each key (a client address)."""

    def __init__(self, limit: int, seconds: float, max_keys: int = 10_000) -> None:
        self.limit, self.seconds, self.max_keys = limit, seconds, max_keys
        self._calls: dict[str, deque[float]] = {}

    def allow(self, key: str, at: float | None = None) -> bool:
        at = time.monotonic() if at is None else at
        if len(self._calls) >= self.max_keys and key not in self._calls:
            self._calls.clear()  # bounded memory; a flood of addresses only resets the window
        calls = self._calls.setdefault(key, deque())
        while calls and calls[0] <= at - self.seconds:
            calls.popleft()
        if len(calls) >= self.limit:
            return False
        calls.append(at)
        return True


def limiter_for(request, name: str, limit: int, seconds: float) -> SlidingWindow:
    """One limiter per app (so per process and per test app), kept on `app.state`."""
    state = request.app.state
    limiters = getattr(state, "rate_limiters", None)
    if limiters is None:
        limiters = state.rate_limiters = {}
    if name not in limiters:
        limiters[name] = SlidingWindow(limit, seconds)
    return limiters[name]


def client_key(request) -> str:
    client = getattr(request, "client", None)
    return client.host if client else "unknown"
