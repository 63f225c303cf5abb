"""What `cosell_background_jobs` answers (issue 39): a plugin's periodic work, run by every
cosell instance's background runner next to cosell's own jobs (server/background.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable


@dataclass(frozen=True)
class BackgroundJob:
    """`run(should_stop)` every `interval` seconds (at least COSELL_BACKGROUND_INTERVAL), in
    every instance: lease the rows you work on (`partners.infra.leasing`) so that one
    instance does each item. `should_stop()` turns true at shutdown: return early."""

    name: str
    run: Callable[[Callable[[], bool]], Awaitable[Any]]
    interval: float = 60.0
