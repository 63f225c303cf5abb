"""Cost budgets written in batches (issue 38 item 3, partners/infra/budgets.py): far from
the limit a process grants spends in memory and writes them later in one statement; near
the limit every spend is the atomic conditional upsert, so refusals stay exact; what was
granted is always written, refused or not."""

from __future__ import annotations

import asyncio
import time

import pytest

from partners.infra import budgets
from partners.infra.tables import CostBudget

AT = (time.time() // 60 + 60) * 60 + 30  # the middle of a window an hour ahead: no test straddles two


@pytest.fixture
async def batching(cosell_client):
    """A live app (its engine bound), batching with a long delay unless the test says."""
    budgets.configure(flush_ms=60_000)
    yield budgets
    await budgets.flush()
    budgets.configure(flush_ms=200)


async def _used(principal: str) -> int:
    row = await CostBudget.select(CostBudget.used).where(CostBudget.principal == principal).first()
    return row["used"] if row else 0


async def test_far_from_the_limit_spends_are_granted_in_memory_and_written_together(batching):
    first = await batching.spend("user:test-a", 10, 100_000, at=AT)
    assert first.allowed and first.remaining == 100_000 - 10
    assert await _used("user:test-a") == 10  # the first spend reads the shared total
    for i in range(5):
        spent = await batching.spend("user:test-a", 10, 100_000, at=AT)
        assert spent.allowed and spent.remaining == 100_000 - 10 * (i + 2)
    assert await _used("user:test-a") == 10  # not written yet
    await batching.flush()
    assert await _used("user:test-a") == 60


async def test_near_the_limit_every_spend_is_written_and_refusals_are_exact(batching):
    granted = 0
    for _ in range(200):
        if (await batching.spend("user:test-b", 10, 1600, at=AT)).allowed:
            granted += 1
    assert granted == 160  # exactly the budget: no more, no less
    assert await _used("user:test-b") == 1600  # nothing left unwritten at the limit
    refused = await batching.spend("user:test-b", 10, 1600, at=AT)
    assert not refused.allowed and refused.remaining == 0


async def test_a_refused_spend_still_writes_what_was_granted_before(batching):
    assert (await batching.spend("user:test-c", 10, 1600, at=AT)).allowed
    for _ in range(9):
        assert (await batching.spend("user:test-c", 10, 1600, at=AT)).allowed
    assert await _used("user:test-c") == 10
    # Another instance spends most of the budget meanwhile.
    await CostBudget.update({CostBudget.used: CostBudget.used + 1580}).where(CostBudget.principal == "user:test-c")
    batching.configure(flush_ms=1)
    await asyncio.sleep(0.01)  # the process's read total is stale now: the next spend writes
    refused = await batching.spend("user:test-c", 10, 1600, at=AT)
    assert not refused.allowed
    assert await _used("user:test-c") == 1590 + 90  # the 9 granted in memory count all the same


async def test_without_batching_every_spend_is_written(batching):
    batching.configure(flush_ms=0)
    for _ in range(3):
        assert (await batching.spend("user:test-d", 1, 100_000, at=AT)).allowed
    assert await _used("user:test-d") == 3


async def test_a_stale_batch_of_a_quiet_caller_is_written_by_the_next_spend_of_anyone(batching):
    batching.configure(flush_ms=50)
    for _ in range(3):
        assert (await batching.spend("user:test-e", 1, 100_000, at=AT)).allowed
    assert await _used("user:test-e") == 1
    await asyncio.sleep(0.06)
    assert (await batching.spend("user:test-f", 1, 100_000, at=AT)).allowed  # writes itself
    assert (await batching.spend("user:test-f", 1, 100_000, at=AT)).allowed  # in memory: sweeps
    assert await _used("user:test-e") == 3
