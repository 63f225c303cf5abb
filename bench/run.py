"""One command: `python -m bench.run [--database-url URL]`.

Migrates the benchmark database, generates the large world (bench/generate.py) unless
it is already there, starts the server as production would (uvicorn, 2 workers; the
bench app adds only the floor routes, bench/floor.py), drives load with wrk from a
separate process and prints, per operation, latency percentiles at 1 client, throughput
at 32 clients, SQL statements per request, the GraphQL/floor ratio for operations 1–3,
and the peak RSS of each worker.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import os
import subprocess
from datetime import timedelta

from bench.generate import DEFAULT_URL, NOW, counts, expected_counts, generate, migrate
from bench.harness import CpuFigures, Operation, measure, print_cpu_table, print_table, running_server

DASHBOARD = """
query Dashboard {
  viewer { id name role partner { id name track } }
  dealRegistrations(first: 50) {
    totalCount pageInfo { hasNextPage }
    nodes { id status type customerName submittedAt expiresAt products
            opportunity { id name stage }
            discountQuote { route currency totalMoney { amount currency }
                           lines { key label percent amountMoney { amount currency } } } }
  }
  coSellPlans(first: 50) {
    pageInfo { hasNextPage }
    nodes { id opportunity { id } progress { done total overdue } }
  }
}
"""

REVIEW_QUEUE = """
query ReviewQueue($region: Region!) {
  dealRegistrations(first: 50, filter: {region: $region, dueForReview: true}) {
    totalCount pageInfo { hasNextPage }
    nodes { id status submittedAt reviewDueAt customerName partner { id name track } products
            conflicts { id status submittedAt partner { name } } }
  }
}
"""

OPPORTUNITIES = """
query Opportunities {
  opportunities(first: 100) {
    totalCount pageInfo { hasNextPage }
    nodes { id name stage currency amountMoney { amount currency } closeDate account { id name segment }
            partners { role isPrimary partner { id name } }
            contacts { role isPrimary contact { id name email } } }
  }
}
"""

REGISTER_DEAL = """
mutation Register($input: RegisterDealInput!) {
  registerDeal(input: $input) { dealRegistration { id status customerName } errors { code message rule } }
}
"""

LOCATOR = """
query Locate($input: PartnerLocatorInput) {
  partnerLocator(input: $input) {
    totalCount facets { tracks { track count } types { type count } }
    nodes { partnerId name type track city distanceKm specializations }
  }
}
"""

# Issue 36: a year of channel metrics grouped by partner (a channel manager: every partner),
# as the dashboard asks: the first page (the default page size) of partners by open pipeline.
CHANNEL_METRICS = """
query ChannelMetrics($f: ChannelMetricsFilter!) {
  channelMetrics(filter: $f, groupBy: [PARTNER], orderBy: {by: SOURCED_OPEN_PIPELINE, direction: DESC}) {
    currency convertedOn pageInfo { hasNextPage endCursor }
    rows { partnerId partnerName registrationsSubmitted registrationsApproved registrationsDenied
           registrationsReturned registrationsWithdrawn registrationsExpired approvalRate
           timeToFirstReview { count medianHours p90Hours missedTarget }
           timeToDecision { count medianHours p90Hours missedTarget }
           sourcedOpenPipeline { amount } sourcedWonNetArr { amount } winRate tasksDone tasksOverdue
           leadsShared leadsAcceptedInTime leadsActedOnInTime leadsRecalled
           casesOpened casesPickedUpInTime casesClosedInTime }
  }
}
"""
YEAR = {"from": (NOW - timedelta(days=364)).date().isoformat(), "to": NOW.date().isoformat()}


async def prepare(database_url: str, scale: float, regenerate: bool) -> dict:
    """Migrate, generate the world unless present, and return tokens and ids for the operations."""
    await migrate(database_url)
    have, want = await counts(database_url), expected_counts(scale)
    # registerDeal runs add registrations: more than generated is still this world.
    if regenerate or any(have[k] < n or (have[k] != n and k != "deal_registration") for k, n in want.items()):
        await generate(database_url, scale)
    from partners.infra.db import current_engine
    from partners.people.identity import issue_token

    engine = current_engine()
    if have["deal_registration"] > want["deal_registration"]:
        # What earlier runs' registerDeal added: each run starts from the generated world
        # (products and history go with them: ON DELETE CASCADE).
        await engine.run_ddl(f"DELETE FROM deal_registration WHERE id > {want['deal_registration']}")

    async def one(sql: str) -> dict:
        return (await engine.run_ddl(sql))[0]

    # The partner portal user of the partner with the most registrations (the heaviest
    # dashboard), another partner's user for the writes, an EMEA channel manager, an AE.
    top = await one("SELECT partner, COUNT(*) AS n FROM deal_registration GROUP BY partner ORDER BY n DESC, partner LIMIT 1")
    writer = await one("SELECT partner FROM deal_registration GROUP BY partner ORDER BY COUNT(*) DESC, partner "
                       "LIMIT 1 OFFSET 1")
    # registerDeal's customer is outside the review queue's region, so that the registrations
    # it adds (conflicts of each other, D2) never show on the queue measured.
    customer = await one("SELECT website FROM account WHERE partner IS NULL AND region = 'APJ' ORDER BY id LIMIT 1")
    users = {
        "portal": await one(f"SELECT id FROM cosell_user WHERE partner = {top['partner']} ORDER BY id LIMIT 1"),
        "writer": await one(f"SELECT id FROM cosell_user WHERE partner = {writer['partner']} ORDER BY id LIMIT 1"),
        "cm": await one("SELECT id FROM cosell_user WHERE role = 'CHANNEL_MANAGER' AND email LIKE '%emea%' ORDER BY id LIMIT 1"),
        "ae": await one("SELECT id FROM cosell_user WHERE role = 'ACCOUNT_EXECUTIVE' ORDER BY id LIMIT 1"),
    }
    tokens = {role: (await issue_token(row["id"], name="bench"))[1] for role, row in users.items()}
    return {"tokens": tokens, "registrations": top["n"], "customer_website": customer["website"]}


def operations(world: dict) -> list[tuple[Operation, Operation | None]]:
    """(GraphQL operation, its floor or None)."""
    t = world["tokens"]
    return [
        (Operation("1 portal dashboard", DASHBOARD, t["portal"]),
         Operation("  floor", "", t["portal"], path="/floor/dashboard")),
        (Operation("2 review queue (EMEA)", REVIEW_QUEUE, t["cm"], {"region": "EMEA"}),
         Operation("  floor", "", t["cm"], path="/floor/review?region=EMEA")),
        (Operation("3 opportunities(first:100)", OPPORTUNITIES, t["ae"]),
         Operation("  floor", "", t["ae"], path="/floor/opportunities")),
        (Operation("4 registerDeal", REGISTER_DEAL, t["writer"], {"input": {
            "type": "RESALE", "customer": {"prospect": {"name": "Bench customer", "website": world["customer_website"],
                                                        "country": "JP", "region": "APJ"}},
            "products": ["premium"], "edition": "Premium", "seats": 50,
            "estimatedAmountMoney": {"amount": "3750000", "currency": "JPY"}}}), None),
        (Operation("5 partnerLocator near", LOCATOR, t["portal"], {"input": {
            "types": ["RESELLER", "SYSTEM_INTEGRATOR"], "tracks": ["OPEN", "SELECT"],
            "near": {"latitude": 48.14, "longitude": 11.58, "radiusKm": 400}, "first": 20}}), None),
        (Operation("6 channelMetrics by partner", CHANNEL_METRICS, t["cm"], {"f": YEAR}), None),
    ]


# Operations 1-3 are the portal's documents: registered (issue 17) and sent by id too.
PERSISTED_OPS = ("1", "2", "3")
# In the CPU phase too, by text only (no floor): the write (issue 38 item 5).
CPU_WRITE_OPS = ("4",)
CPU_BLOCK = 10  # requests of one target before the next takes its turn (CPU phase)


async def register_documents() -> None:
    from partners.documents import store

    await store.add([store.Document(store.sha256_hex(q), q, (), "bench/run.py")
                     for q in (DASHBOARD, REVIEW_QUEUE, OPPORTUNITIES)])


def persisted(op: Operation) -> Operation:
    """The registered document sent by id: its compiled plan runs (COSELL_COMPILED_PLANS)."""
    return dataclasses.replace(op, name=f"  {op.name.split(' ', 1)[1][:16]} compiled", persisted=True)


async def cpu_per_request(world: dict, only, requests: int, warmup: int) -> list[CpuFigures]:
    """CPU time per request through the production app (plus floor routes) in this
    process, no network: median of `requests` after `warmup`, generic, compiled and floor
    taking turns (CPU_BLOCK requests each); registerDeal (op 4) by text alone."""
    import time

    from bench.floor import create_app

    os.environ.setdefault("COSELL_EXPOSE_METRICS", "1")
    os.environ.setdefault("COSELL_COST_BUDGET_PER_MINUTE", "1000000000")
    os.environ["COSELL_BACKGROUND_JOBS"] = "0"
    os.environ.setdefault("COSELL_LOG_LEVEL", "WARNING")
    app = create_app()
    rows = []
    pauses: list[tuple[int, float]] = []  # (generation, ms) of each collection while measuring
    started_at: dict[str, float] = {}

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started_at["t"] = time.perf_counter()
        elif "t" in started_at:
            pauses.append((info["generation"], (time.perf_counter() - started_at.pop("t")) * 1000))

    gc.callbacks.append(on_gc)
    try:
        await _cpu_phase(app, world, only, requests, warmup, rows)
    finally:
        gc.callbacks.remove(on_gc)
    full = [ms for generation, ms in pauses if generation == 2]
    print(f"garbage collections while measuring: {len(pauses)}, of them full (gen 2): {len(full)}"
          + (f", wall ms median {sorted(full)[len(full) // 2]:.1f}, longest {max(full):.1f}" if full else ""))
    return rows


async def _cpu_phase(app, world: dict, only, requests: int, warmup: int, rows: list) -> None:
    import statistics
    import time

    import httpx

    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            async def cpu_ms(target: Operation, n: int, into: list | None) -> None:
                headers = {"Authorization": f"Bearer {target.token}"}
                for _ in range(n):
                    started = time.process_time()
                    response = await client.post(target.path, json=target.body(), headers=headers)
                    if into is not None:
                        into.append((time.process_time() - started) * 1000)
                    body = response.json()
                    assert response.status_code == 200 and "errors" not in body, response.text[:300]
                    # A write refused with UserErrors would measure the refusal, not the write.
                    assert not any(isinstance(v, dict) and v.get("errors") for v in (body.get("data") or {}).values()), \
                        response.text[:300]

            async def medians(targets: list[Operation]) -> list[float]:
                # Interleaved, CPU_BLOCK requests of each target in turn: the machine's speed
                # drifts within a minute, and the ratio to the floor must compare like with like.
                for target in targets:
                    await cpu_ms(target, warmup, None)
                samples: list[list[float]] = [[] for _ in targets]
                for _ in range(max(1, requests // CPU_BLOCK)):
                    for target, into in zip(targets, samples):
                        await cpu_ms(target, CPU_BLOCK, into)
                return [statistics.median(s) for s in samples]

            from schema.compiled.executor import PlanStats

            for op, floor in operations(world):
                number = op.name.split()[0]
                if number not in PERSISTED_OPS + CPU_WRITE_OPS or (only and number not in only):
                    continue
                if number in CPU_WRITE_OPS:
                    (figure,) = await medians([op])
                    rows.append(CpuFigures(op.name, figure, None, None, max(1, requests // CPU_BLOCK) * CPU_BLOCK))
                    continue
                ran, fell_back = PlanStats.compiled, PlanStats.fallbacks
                figures = await medians([op, persisted(op)] + ([floor] if floor else []))
                ran, fell_back = PlanStats.compiled - ran, PlanStats.fallbacks - fell_back
                measured = warmup + max(1, requests // CPU_BLOCK) * CPU_BLOCK
                if ran != measured or fell_back:
                    print(f"{op.name}: {ran} requests ran compiled, {fell_back} fell back, of {measured} sent by id "
                          "(COSELL_COMPILED_PLANS off?)")
                rows.append(CpuFigures(op.name, figures[0], figures[1], figures[2] if floor else None,
                                       max(1, requests // CPU_BLOCK) * CPU_BLOCK))


def load_average() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


async def main_async(args) -> None:
    world = await prepare(args.database_url, args.scale, args.regenerate)
    print(f"database: {args.database_url}; dashboard partner holds {world['registrations']:,} registrations")
    await register_documents()
    print(f"load before: {load_average()}")
    cpu_rows = await cpu_per_request(world, args.only, args.cpu_requests, args.cpu_warmup) if args.cpu_requests else []
    if cpu_rows:
        print_cpu_table(cpu_rows)
        print(f"load after the CPU phase: {load_average()}")
    if args.peer:
        from bench.peer import print_side_by_side, side_by_side

        op, floor = operations(world)[2]
        rows = side_by_side(args.database_url, [op, persisted(op), floor], port=args.port,
                            peer_port=args.peer_port or args.port + 1, clients=args.clients, seconds=args.seconds)
        print_side_by_side(rows, args.clients)
    if args.jobs:
        from bench.jobs import print_jobs, run_jobs_bench

        op, _ = operations(world)[2]
        print_jobs(run_jobs_bench(args.database_url, persisted(op), port=args.port, max_seconds=args.jobs_max_seconds))
    if args.cpu_only or args.peer_only or args.jobs:
        return
    with running_server(args.database_url, port=args.port, workers=args.workers) as server:
        rows = []
        for op, floor in operations(world):
            if args.only and not any(op.name.startswith(o) for o in args.only):
                continue
            figures = measure(server, op, clients=args.clients, seconds=args.seconds)
            rows.append(figures)
            if op.name.split()[0] in PERSISTED_OPS:
                rows.append(measure(server, persisted(op), clients=args.clients, seconds=args.seconds))
            if floor is not None:
                floor_figures = measure(server, floor, clients=args.clients, seconds=args.seconds)
                floor_figures.ratio_of = figures
                rows.append(floor_figures)
        print_table(rows, server.peak_rss_mb())
    print(f"load after: {load_average()}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"wrk": [r.__dict__ | {"ratio_of": None} for r in rows],
                       "cpu": [r.__dict__ for r in cpu_rows]}, fh, indent=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--scale", type=float, default=1.0, help="world size (1 = the issue's counts)")
    parser.add_argument("--regenerate", action="store_true", help="generate the world even if it is there")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each wrk run")
    parser.add_argument("--only", nargs="*", help="operation numbers to run, e.g. --only 1 3")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--cpu-requests", type=int, default=60,
                        help="requests per operation for CPU ms in process (median; 0 = skip)")
    parser.add_argument("--cpu-warmup", type=int, default=10)
    parser.add_argument("--cpu-only", action="store_true", help="only the in-process CPU phase, no wrk")
    parser.add_argument("--peer", action="store_true",
                        help="PostgreSQL: also operation 3 on PostGraphile beside cosell (bench/peer.py; needs Node)")
    parser.add_argument("--peer-port", type=int, help="PostGraphile's port (default: --port + 1)")
    parser.add_argument("--peer-only", action="store_true", help="with --peer: stop after the side-by-side runs")
    parser.add_argument("--jobs", action="store_true",
                        help="only the background jobs on the bench world: catch-up, idle CPU, p99 (bench/jobs.py)")
    parser.add_argument("--jobs-max-seconds", type=float, default=1200.0, help="with --jobs: longest catch-up measured")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
