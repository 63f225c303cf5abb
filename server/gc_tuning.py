"""Keep full garbage collections short (issue 17: a ~47 ms gen-2 collection every ~35
dashboard requests was the p99).

A full collection walks every tracked object that is not frozen. What start-up builds
(modules, the schema, plugins) lives as long as the process, and so does what the first
requests fill in (lazily imported modules, parser/validation caches, prepared statements,
Strawberry's per-type caches). `gc.freeze()` moves all of it out of the collector's reach:
once when the app has started, and once more after the first `settle_after` requests,
each after a collection so that no garbage is frozen with it. Later full collections walk
only what requests leave behind. Off with COSELL_GC_FREEZE=0.

Young collections: Python collects its youngest generation every 700 allocations of
container objects; a portal request allocates several thousand (rows, nodes, response
dicts), most of them freed by reference counting as soon as the request ends. With
`young_threshold` (COSELL_GC_YOUNG_THRESHOLD, default 10000; 0 keeps Python's) the
collector runs a few times less often per request and finds fewer live objects to walk
when it does; older generations keep their ratios. Restored when the app stops."""

from __future__ import annotations

import gc


class GcFreezer:
    def __init__(self, *, enabled: bool, settle_after: int = 200, young_threshold: int = 0) -> None:
        self.enabled = enabled
        self.settle_after = settle_after
        self.young_threshold = young_threshold
        self.requests = 0
        self.freezes = 0  # how many times this freezer froze (the freeze count is the process's)
        self._thresholds: tuple[int, ...] | None = None  # Python's, while ours is set

    def started(self) -> None:
        if self.young_threshold > 0:
            self._thresholds = gc.get_threshold()
            gc.set_threshold(self.young_threshold, *self._thresholds[1:])
        if self.enabled:
            gc.collect()
            gc.freeze()
            self.freezes += 1

    def request_done(self) -> None:
        if not self.enabled or self.requests > self.settle_after:
            return
        self.requests += 1
        if self.requests == self.settle_after:
            gc.collect()
            gc.freeze()
            self.freezes += 1

    def stopped(self) -> None:
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
        if self.enabled:
            gc.unfreeze()
