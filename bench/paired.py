"""Before/after CPU per request, two trees taking turns (issue 38 item 3):

    python -m bench.paired /path/to/before-tree [--database-url URL] [--rounds 12] [--block 10]

Starts this tree and the other one as two worker processes (`--worker`), each with the app
in process as `bench.run --cpu-only` has it, and makes them take turns: `--block` requests
of one target (operation 1–3 generic, compiled, or its floor) in one process, then the same
in the other, for `--rounds` rounds. The machine's speed drifts within minutes, so each
pair of blocks is measured under the same conditions. Prints the median CPU ms per request
(`time.process_time`) of each target in each tree, and each tree's ratios to its own floor.

`--viewer` adds `query Viewer { viewer { id } }` by text and by id (a request's fixed cost,
issue 38 item 3). Both workers run this file's worker code (the other tree's app, bench
world and floor: its `bench.run` and `bench.floor`), so a tree older than the option works.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time

from bench.generate import DEFAULT_URL

TARGETS = [(op, mode) for op in ("1", "2", "3") for mode in ("generic", "compiled", "floor")]
VIEWER = "query Viewer { viewer { id } }"


async def worker(database_url: str, viewer: bool) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("COSELL_EXPOSE_METRICS", "1")
    os.environ.setdefault("COSELL_COST_BUDGET_PER_MINUTE", "1000000000")
    os.environ["COSELL_BACKGROUND_JOBS"] = "0"
    os.environ.setdefault("COSELL_LOG_LEVEL", "WARNING")
    import httpx

    from bench.floor import create_app
    from bench.run import operations, persisted, prepare, register_documents

    world = await prepare(database_url, 1.0, False)
    await register_documents()
    targets = {}
    for op, floor in operations(world)[:3]:
        number = op.name.split()[0]
        targets[(number, "generic")], targets[(number, "compiled")], targets[(number, "floor")] = op, persisted(op), floor
    if viewer:
        import dataclasses

        from partners.documents import store

        from bench.harness import Operation

        await store.add([store.Document(store.sha256_hex(VIEWER), VIEWER, (), "bench/paired.py")])
        targets[("viewer", "generic")] = Operation("viewer", VIEWER, world["tokens"]["ae"])
        targets[("viewer", "compiled")] = dataclasses.replace(targets[("viewer", "generic")], persisted=True)
    app = create_app()
    loop = asyncio.get_running_loop()
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            print("ready", flush=True)
            while True:
                line = await loop.run_in_executor(None, sys.stdin.readline)
                if not line:
                    return
                op, mode, n = line.split()
                target = targets[(op, mode)]
                headers = {"Authorization": f"Bearer {target.token}"}
                samples = []
                for _ in range(int(n)):
                    started = time.process_time()
                    response = await client.post(target.path, json=target.body(), headers=headers)
                    samples.append((time.process_time() - started) * 1000)
                    assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]
                print(json.dumps(samples), flush=True)


def start(tree: str, database_url: str, viewer: bool) -> subprocess.Popen:
    run_this = f"import runpy, sys; sys.argv[0] = {__file__!r}; runpy.run_path({__file__!r}, run_name='__main__')"
    process = subprocess.Popen([sys.executable, "-c", run_this, "--worker", "--database-url", database_url,
                                *(["--viewer"] if viewer else [])],
                               cwd=tree, env={**os.environ, "PYTHONPATH": tree}, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    while process.stdout.readline().strip() != "ready":
        if process.poll() is not None:
            raise SystemExit(f"the worker in {tree} stopped")
    return process


def ask(process: subprocess.Popen, op: str, mode: str, n: int) -> list[float]:
    process.stdin.write(f"{op} {mode} {n}\n")
    process.stdin.flush()
    return json.loads(process.stdout.readline())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", nargs="?", help="the other tree (a git worktree of the commit before)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--block", type=int, default=10)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--viewer", action="store_true", help="also `viewer { id }` by text and by id (fixed cost)")
    args = parser.parse_args()
    if args.worker:
        asyncio.run(worker(args.database_url, args.viewer))
        return
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    trees = {"before": args.before, "after": here}
    with open("/proc/loadavg") as fh:
        print(f"load before: {fh.read().split()[:3]}")
    workers = {name: start(tree, args.database_url, args.viewer) for name, tree in trees.items()}
    targets = TARGETS + ([("viewer", "generic"), ("viewer", "compiled")] if args.viewer else [])
    samples = {(name, t): [] for name in trees for t in targets}
    try:
        for name in trees:  # warm-up
            for op, mode in targets:
                ask(workers[name], op, mode, args.block)
        for _ in range(args.rounds):
            for op, mode in targets:
                for name in trees:
                    samples[(name, (op, mode))] += ask(workers[name], op, mode, args.block)
    finally:
        for process in workers.values():
            process.stdin.close()
            process.wait(timeout=60)
    with open("/proc/loadavg") as fh:
        print(f"load after: {fh.read().split()[:3]}")
    print(f"CPU ms per request, median of {args.rounds * args.block} (trees taking turns, {args.block} at a time)")
    print(f"{'op':<4}{'tree':<8}{'generic':>9}{'compiled':>9}{'floor':>8}{'gen/floor':>11}{'comp/floor':>11}")
    for op in ("1", "2", "3"):
        for name in trees:
            g, c, f = (statistics.median(samples[(name, (op, mode))]) for mode in ("generic", "compiled", "floor"))
            print(f"{op:<4}{name:<8}{g:9.2f}{c:9.2f}{f:8.2f}{g / f:10.1f}x{c / f:10.1f}x")
    if args.viewer:
        for name in trees:
            g, c = (statistics.median(samples[(name, ("viewer", mode))]) for mode in ("generic", "compiled"))
            print(f"viewer {name:<8} by text {g:.2f}, by id {c:.2f}")


if __name__ == "__main__":
    main()
