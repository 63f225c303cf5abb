"""Keep full garbage collections short (issue 17: a ~47 ms gen-2 collection every ~35
dashboard requests was the p99).

A full collection walks every tracked object that is not frozen. What start-up builds
(modules, the schema, plugins) lives as long as the process, and so does what the first
requests fill in (lazily imported modules, parser/validation caches, prepared statements,
Strawberry's per-type caches). `gc.freeze()` moves all of it out of the collector's reach:
once when the app has started, and once more after the first `settle_after` requests,
each after a collection so that no garbage is frozen with it. Later full collections walk
only what requests leave behind. Off with COSELL_GC_FREEZE=0."""

from __future__ import annotations

import gc


class GcFreezer:
    def __init__(self, *, enabled: bool, settle_after: int = 200) -> None:
        self.enabled = enabled
        self.settle_after = settle_after
        self.requests = 0

    def started(self) -> None:
        if self.enabled:
            gc.collect()
            gc.freeze()

    def request_done(self) -> None:
        if not self.enabled or self.requests > self.settle_after:
            return
        self.requests += 1
        if self.requests == self.settle_after:
            gc.collect()
            gc.freeze()

    def stopped(self) -> None:
        if self.enabled:
            gc.unfreeze()
