"""CPU per request, in process, with a profile: `python -m bench.profile [--op 1] [--database-url URL]`.

Wall-clock figures on a shared 2-core machine move with the neighbours' load; CPU time
of this process per request (time.process_time, including the SQLite driver's threads)
and a pyinstrument profile do not, so before/after comparisons use these. Runs the same
operations as bench/run.py against the generated world through the real app (ASGI, no
network), after a warm-up, and prints p50 wall/CPU per request, then the profile of the
measured requests (`--html FILE` for the interactive one).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from bench.generate import DEFAULT_URL


async def main_async(args) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("COSELL_EXPOSE_METRICS", "1")
    os.environ.setdefault("COSELL_COST_BUDGET_PER_MINUTE", "1000000000")
    os.environ.setdefault("COSELL_BACKGROUND_JOBS", "0")
    os.environ.setdefault("COSELL_LOG_LEVEL", "WARNING")
    import httpx
    from pyinstrument import Profiler

    from bench.floor import create_app
    from bench.run import operations, prepare

    world = await prepare(args.database_url, args.scale, False)
    app = create_app()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for op, floor in operations(world):
                if args.op and not op.name.startswith(tuple(args.op)):
                    continue
                for target in ([op, floor] if floor and args.floor else [op]):
                    headers = {"Authorization": f"Bearer {target.token}"}

                    async def once():
                        r = await client.post(target.path, json=target.body(), headers=headers)
                        assert r.status_code == 200 and "errors" not in r.json(), r.text[:300]

                    for _ in range(args.warmup):
                        await once()
                    walls, cpus = [], []
                    profiler = Profiler(async_mode="enabled") if args.profile else None
                    if profiler:
                        profiler.start()
                    for _ in range(args.requests):
                        w, c = time.perf_counter(), time.process_time()
                        await once()
                        walls.append((time.perf_counter() - w) * 1000)
                        cpus.append((time.process_time() - c) * 1000)
                    name = op.name if target is op else f"{op.name} (floor)"
                    print(f"{name:<36} wall p50 {statistics.median(walls):7.2f} ms   cpu p50 {statistics.median(cpus):7.2f} ms")
                    if profiler:
                        profiler.stop()
                        print(profiler.output_text(unicode=True, color=False, show_all=False))
                        if args.html:
                            with open(args.html.replace(".html", f"-{op.name.split()[0]}.html"), "w") as fh:
                                fh.write(profiler.output_html())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--op", nargs="*", help="operation numbers, e.g. --op 1 3")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--floor", action="store_true", help="also measure the floor routes")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile per operation")
    parser.add_argument("--html", help="write the profiles as HTML files (name-<op>.html)")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
