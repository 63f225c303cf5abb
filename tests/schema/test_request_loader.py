"""The per-request DataLoader (schema/core/loaders.py, issue 17): what every list field
relies on for "no N+1" — keys asked for in one turn go to one call of the load function,
results are kept for the request, failures are kept too and reach every field that asks."""

from __future__ import annotations

import asyncio

import pytest

from schema.core.loaders import RequestLoader, WrongNumberOfResults


def recording(results=lambda keys: [k * 10 for k in keys]):
    calls: list[list] = []

    async def load(keys):
        calls.append(list(keys))
        await asyncio.sleep(0)
        value = results(keys)
        if isinstance(value, BaseException):
            raise value
        return value

    return load, calls


async def test_keys_asked_in_one_turn_are_one_call_and_results_are_kept():
    load, calls = recording()
    loader = RequestLoader(load)
    one, many, again = await asyncio.gather(loader.load(1), loader.load_many([2, 3, 1, 2]), loader.load(3))
    assert (one, many, again) == (10, [20, 30, 10, 20], 30)
    assert calls == [[1, 2, 3]]
    # Kept for the request: nothing is asked again, and `load` gives the same future.
    assert await loader.load_many([3, 1]) == [30, 10]
    assert loader.load(2) is loader.load(2)
    assert calls == [[1, 2, 3]]
    assert await loader.load_many([4]) == [40]
    assert calls == [[1, 2, 3], [4]]


async def test_a_failed_batch_fails_each_key_for_every_field_that_asks():
    load, calls = recording(lambda keys: RuntimeError("database went away"))
    loader = RequestLoader(load)
    results = await asyncio.gather(loader.load(1), loader.load_many([1, 2]), return_exceptions=True)
    assert [str(r) for r in results] == ["database went away", "database went away"]
    with pytest.raises(RuntimeError):
        await loader.load_many([2])
    assert calls == [[1, 2]]


async def test_an_exception_as_a_result_fails_its_key_only():
    load, _ = recording(lambda keys: [ValueError(f"no {k}") if k == 2 else k for k in keys])
    loader = RequestLoader(load)
    assert await loader.load(1) == 1
    with pytest.raises(ValueError, match="no 2"):
        await loader.load(2)
    with pytest.raises(ValueError, match="no 2"):
        await loader.load_many([1, 2])


async def test_a_load_function_returning_the_wrong_number_of_results_is_an_error():
    load, _ = recording(lambda keys: [1])
    with pytest.raises(WrongNumberOfResults):
        await RequestLoader(load).load_many([1, 2])


async def test_prime_and_clear():
    load, calls = recording()
    loader = RequestLoader(load)
    loader.prime(5, "primed")
    assert await loader.load(5) == "primed"
    assert await loader.load(6) == 60
    loader.clear(6)
    assert await loader.load_many([6]) == [60]
    assert calls == [[6], [6]]
    loader.prime(5, "forced", force=True)
    assert await loader.load_many([5]) == ["forced"]
    loader.clear_all()
    assert await loader.load(5) == 50


async def test_one_waiter_cancelled_leaves_the_batch_to_the_others():
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(keys):
        started.set()
        await release.wait()
        return keys

    loader = RequestLoader(slow)
    first = asyncio.ensure_future(loader.load_many([1, 2]))
    second = asyncio.ensure_future(loader.load_many([2]))
    await started.wait()
    first.cancel()
    release.set()
    assert await second == [2]
    assert first.cancelled()
