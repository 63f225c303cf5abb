"""Latency of one bench operation measured by sequential requests (issue 36).

wrk's runs (bench.run) assume requests of milliseconds: a request of seconds leaves the
server busy with the warm-up's abandoned requests and wrk's 10 s timeout counts nothing.
This drives the same server (`bench.harness.running_server`, the world of `bench.run`)
with one request at a time and prints each request's time, then p50/p95:

    .venv/bin/python -m bench.sequential --only 6 --requests 8 [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import httpx

from bench.generate import DEFAULT_URL
from bench.harness import running_server
from bench.run import operations, prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--only", default="6", help="the operation's number")
    parser.add_argument("--requests", type=int, default=8, help="measured requests, after one warm-up")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    world = asyncio.run(prepare(args.database_url, 1.0, False))
    op = next(o for o, _ in operations(world) if o.name.split()[0] == args.only)
    times = []
    with running_server(args.database_url, port=args.port, workers=2) as server:
        for i in range(args.requests + 1):
            started = time.perf_counter()
            response = httpx.post(f"{server.url}{op.path}", json=op.body(), timeout=600,
                                  headers={"Authorization": f"Bearer {op.token}"})
            ms = (time.perf_counter() - started) * 1000
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                raise SystemExit(f"{op.name}: {response.status_code} {str(body)[:300]}")
            print(f"{op.name} request {i}{' (warm-up)' if not i else ''}: {ms:.0f} ms, "
                  f"SQL {body.get('extensions', {}).get('sqlStatements')}", flush=True)
            if i:
                times.append(ms)
    times.sort()
    print(json.dumps({"operation": op.name, "requests": len(times), "p50_ms": round(statistics.median(times)),
                      "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))])}))


if __name__ == "__main__":
    main()
