"""A loop for a sampling profiler (issue 38 item 3):

    py-spy record --format raw -o out.txt -- python -m bench.spy --op 3 --as compiled [--seconds 20]
    python -m bench.spy --fold out.txt [--top 40]      # self and inclusive share per function

Sends one of operations 1–3 (by text: "generic", by id: "compiled", or its "floor"), or
`--op viewer` (`query Viewer { viewer { id } }`, by text or by id: a request's fixed cost) through
the app in this process, as `bench.run --cpu-only` does, after a warm-up, for `--seconds`;
py-spy samples the loop. `--fold` reads py-spy's raw (collapsed) output and prints the
functions with the largest self and inclusive shares of the samples.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import time
from collections import Counter

from bench.generate import DEFAULT_URL

VIEWER = "query Viewer { viewer { id } }"


async def loop(args) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("COSELL_COST_BUDGET_PER_MINUTE", "1000000000")
    os.environ.setdefault("COSELL_EXPOSE_METRICS", "1")
    os.environ["COSELL_BACKGROUND_JOBS"] = "0"
    os.environ.setdefault("COSELL_LOG_LEVEL", "WARNING")
    import httpx

    from bench.floor import create_app
    from bench.run import operations, persisted, prepare, register_documents

    world = await prepare(args.database_url, 1.0, False)
    await register_documents()
    if args.op == "viewer":  # a request's fixed cost: the smallest query, by text or by id
        from partners.documents import store

        from bench.harness import Operation

        await store.add([store.Document(store.sha256_hex(VIEWER), VIEWER, (), "bench/spy.py")])
        op, floor = Operation("viewer", VIEWER, world["tokens"]["ae"]), None
    else:
        op, floor = next((op, floor) for op, floor in operations(world) if op.name.startswith(args.op))
    by_id = dataclasses.replace(op, persisted=True) if args.op == "viewer" else persisted(op)
    target = {"generic": op, "compiled": by_id, "floor": floor}[args.as_]
    if target is None:
        raise SystemExit("`viewer` has no floor")
    app = create_app()
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            headers = {"Authorization": f"Bearer {target.token}"}
            sent, cpu = 0, 0.0
            if args.show:
                response = await client.post(target.path, json=target.body(), headers=headers)
                print(response.json().get("extensions"), response.headers.get("x-sql-statements"))
                return
            for phase_seconds, measured in ((2, False), (args.seconds, True)):
                until = time.monotonic() + phase_seconds
                while time.monotonic() < until:
                    started = time.process_time()
                    response = await client.post(target.path, json=target.body(), headers=headers)
                    assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]
                    if measured:
                        sent, cpu = sent + 1, cpu + time.process_time() - started
    print(f"{args.op} {args.as_}: {sent} requests, mean CPU {cpu / max(sent, 1) * 1000:.2f} ms")


# Samples that are no request's: waiting for the database, building the app, importing.
_NOT_REQUESTS = ("select (selectors.py", "create_app (", "prepare (bench", "register_documents (", "_find_and_load (", "lifespan")


def fold(path: str, top: int) -> None:
    """Only the event loop's busy samples: not the imports at start, not waiting in select."""
    own, inclusive, total = Counter(), Counter(), 0
    with open(path) as fh:
        for line in fh:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack or "_run_once" not in stack or any(s in stack for s in _NOT_REQUESTS):
                continue
            n = int(count)
            frames = [f.split(" (")[0] + " " + f.rsplit("/", 1)[-1].split(":")[0].rstrip(")") for f in stack.split(";")]
            total += n
            own[frames[-1]] += n
            for frame in set(frames):
                inclusive[frame] += n
    print(f"{total} samples")
    for title, counter in (("self", own), ("inclusive", inclusive)):
        print(f"--- {title}")
        for frame, n in counter.most_common(top):
            print(f"{n / total * 100:6.1f}%  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--op", default="3", choices=("1", "2", "3", "viewer"),
                        help="an operation, or `viewer` (`query { viewer { id } }`: a request's fixed cost)")
    parser.add_argument("--as", dest="as_", default="compiled", choices=("generic", "compiled", "floor"))
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--show", action="store_true", help="print one response's extensions and stop")
    parser.add_argument("--fold", help="py-spy raw output to summarise instead of running")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    if args.fold:
        fold(args.fold, args.top)
    else:
        asyncio.run(loop(args))


if __name__ == "__main__":
    main()
