"""Background work in batches that leaves room for requests (issue 38).

A job catching up on a large backlog (after an outage, or on a large database) works batch
after batch in the same process as the requests. `Pace` rests between batches for as long
as the last batch took (`REST_PER_BUSY`, at most `MAX_REST` seconds): the job then uses at
most about half of the time of one core, requests get the other half and the event loop
in between, and the backlog still drains at half speed rather than waiting for the next
tick. A short batch (nothing to catch up) rests a few milliseconds.

    pace = Pace()
    while work_left:
        await pace.rest()       # first call returns at once
        ... one bounded batch ...
"""

from __future__ import annotations

import asyncio
import time

REST_PER_BUSY = 1.0  # seconds of rest per second of batch work
MAX_REST = 2.0


class Pace:
    def __init__(self, rest_per_busy: float = REST_PER_BUSY) -> None:
        self.rest_per_busy = rest_per_busy
        self._started: float | None = None

    async def rest(self) -> None:
        """Rest after the previous batch (none before the first), then mark the start of the next."""
        if self._started is not None:
            busy = time.monotonic() - self._started
            await asyncio.sleep(min(busy * self.rest_per_busy, MAX_REST))
        self._started = time.monotonic()
