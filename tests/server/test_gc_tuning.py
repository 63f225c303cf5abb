"""gc.freeze() after start-up and after the first requests (issue 17, server/gc_tuning.py):
what the process keeps for its lifetime is out of the full collections' walk; nothing
stays frozen after shutdown, and COSELL_GC_FREEZE=0 leaves the collector alone. Young
collections run every COSELL_GC_YOUNG_THRESHOLD allocations while the app runs."""

from __future__ import annotations

import gc

from server.gc_tuning import GcFreezer


async def test_start_up_objects_are_frozen_while_the_app_runs(cosell_app_factory):
    gc.unfreeze()
    async with cosell_app_factory(gc_freeze=True) as client:
        frozen = gc.get_freeze_count()
        assert frozen > 0  # the schema, plugins and modules
        assert (await client.get("/healthz")).status_code == 200
    assert gc.get_freeze_count() == 0


async def test_the_freeze_is_off_with_the_setting(cosell_app_factory):
    gc.unfreeze()
    async with cosell_app_factory(gc_freeze=False) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert gc.get_freeze_count() == 0


def test_what_the_first_requests_build_is_frozen_once_they_settled():
    gc.unfreeze()
    freezer = GcFreezer(enabled=True, settle_after=3)
    freezer.started()
    at_start = gc.get_freeze_count()
    kept = [object() for _ in range(1000)] + [[] for _ in range(1000)]  # what requests add for good
    for _ in range(3):
        freezer.request_done()
    assert gc.get_freeze_count() >= at_start + 1000 and freezer.freezes == 2  # at start, once settled
    freezer.request_done()
    # No more freezing after that (counted by the freezer: the process's freeze count also
    # moves when another app of the test session starts in a thread meanwhile).
    assert freezer.freezes == 2
    freezer.stopped()
    assert gc.get_freeze_count() == 0 and kept


async def test_young_collections_wait_for_the_threshold_while_the_app_runs(cosell_app_factory):
    before = gc.get_threshold()
    async with cosell_app_factory(gc_young_threshold=12_345) as client:
        assert gc.get_threshold() == (12_345, *before[1:])
        assert (await client.get("/healthz")).status_code == 200
    assert gc.get_threshold() == before
    async with cosell_app_factory(gc_young_threshold=0):
        assert gc.get_threshold() == before  # 0: Python's own
