"""The order of the tests under pytest-xdist (`make test`: `-n auto --dist worksteal`).

worksteal hands each worker an equal, contiguous share of the collected tests, in order,
and an idle worker later takes the second half of what a busy one has left. A long test
near the end of a share keeps its worker busy after the other one ran out of work, and
the wall clock is the last worker's. So the long tests (LONG, measured with
`--durations`) go first, spread over the shares so that each worker starts with about the
same amount of long work; the others keep their collection order (files stay together).
"""

from __future__ import annotations

from typing import Sequence, TypeVar

T = TypeVar("T")

# Node id prefix → seconds of CPU one such test took (itself and its processes, `-n 2`,
# measured with a per-test getrusage wrapper; docs/development.md, "Test suite speed").
# A guide for the order only: a wrong or missing figure costs time, never a test.
LONG: dict[str, float] = {
    "tests/release/test_wheel.py::": 60,  # a wheel build, a virtualenv, pip, Chromium: more wall than CPU
    "tests/server/test_fuzz.py::": 10,
    "tests/server/test_document_equivalence.py::test_every_registered_document": 14,
    "tests/server/test_trusted_documents.py::test_cli_registers_a_folder": 9,
    "tests/transfer/test_round_trip.py::test_the_commands": 5,
    "tests/server/test_getting_started.py::test_make_run_prints": 8,
    "tests/examples/test_portal_pages.py::test_partner_pages_show_only_partner_a": 7,
    # Long in wall clock more than CPU (a browser, a live server, a lock held on purpose):
    # 10–14 s each in the suite's --durations (docs/development.md, "Test suite speed").
    "tests/examples/test_portal_pages.py::test_a_partner_user_withdraws": 7,
    "tests/examples/test_portal_scorecard.py::test_the_scorecard_shows_partner_a": 6,
    "tests/partners/test_sqlite_busy.py::test_a_locked_database_gives": 5,
    "tests/examples/test_portal.py::test_a_partner_user_works_the_portal": 5,
}


def cost(nodeid: str) -> float:
    return next((seconds for prefix, seconds in LONG.items() if nodeid.startswith(prefix)), 0.0)


def order_for_workers(items: Sequence[T], workers: int, *, nodeid=lambda item: item.nodeid) -> list[T]:
    """`items` reordered for `workers` worksteal workers: each share (the sizes worksteal
    gives) starts with its part of the long tests, the longest first, balanced greedily."""
    if workers < 2:
        return list(items)
    long = sorted((i for i in items if cost(nodeid(i))), key=lambda i: (-cost(nodeid(i)), nodeid(i)))
    rest = [i for i in items if not cost(nodeid(i))]
    lanes: list[list[T]] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for item in long:
        lane = min(range(workers), key=lambda k: (loads[k], k))
        lanes[lane].append(item)
        loads[lane] += cost(nodeid(item))
    ordered: list[T] = []
    left = len(items)
    for k, lane in enumerate(lanes):
        share = left // (workers - k)  # what worksteal sends the k-th worker
        left -= share
        take = max(0, share - len(lane))
        ordered += lane + rest[:take]
        rest = rest[take:]
    return ordered + rest
