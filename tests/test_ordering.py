"""The order of the tests under pytest-xdist (tests/ordering.py): nothing lost, the long
tests first in every worker's share, spread so that no worker gets all of them."""

from tests.ordering import LONG, cost, order_for_workers

FUZZ = [f"tests/server/test_fuzz.py::test_fuzzed[{caller}-part{p}]" for caller in ("a", "b") for p in range(4)]
WHEEL = "tests/release/test_wheel.py::test_the_installed_wheel"
QUICK = [f"tests/schema/test_q{n}.py::test_{n}" for n in range(40)]


def shares(ordered: list[str], workers: int) -> list[list[str]]:
    """What worksteal sends each worker first: len(pending) // (workers left), in order."""
    out, rest = [], list(ordered)
    for k in range(workers):
        n = len(rest) // (workers - k)
        out.append(rest[:n])
        rest = rest[n:]
    return out


def test_every_test_is_kept_once_and_the_quick_ones_keep_their_order():
    collected = QUICK[:20] + FUZZ + QUICK[20:] + [WHEEL]
    ordered = order_for_workers(collected, 2, nodeid=str)
    assert sorted(ordered) == sorted(collected)
    assert [n for n in ordered if n in QUICK] == QUICK


def test_each_worker_starts_with_an_even_part_of_the_long_tests():
    collected = QUICK[:20] + FUZZ + QUICK[20:] + [WHEEL]
    for workers in (2, 3):
        parts = shares(order_for_workers(collected, workers, nodeid=str), workers)
        loads = []
        for part in parts:
            long = [n for n in part if cost(n)]
            assert part[:len(long)] == long, "long tests first"
            loads.append(sum(cost(n) for n in long))
        assert max(loads) - min(loads) <= max(LONG.values()), loads


def test_one_process_or_no_long_test_keeps_the_collection_order():
    collected = QUICK[:5] + [WHEEL] + QUICK[5:10]
    assert order_for_workers(collected, 1, nodeid=str) == collected
    assert order_for_workers(QUICK, 2, nodeid=str) == QUICK
