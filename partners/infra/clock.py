"""The one clock of the domain (UTC)."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Iterator

_at: ContextVar[datetime | None] = ContextVar("cosell_clock_at", default=None)


def now() -> datetime:
    return _at.get() or datetime.now(timezone.utc)


@contextmanager
def clock_at(at: datetime) -> Iterator[None]:
    """Within the block (this task only), `now()` is `at`: the demo world's past events
    (partners.demo) happen at their own times through the real flows."""
    token = _at.set(at)
    try:
        yield
    finally:
        _at.reset(token)
