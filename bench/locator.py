"""Partner locator benchmark (issue 8, D7): 100,000 partners, filtered queries, p95, plans.

    .venv/bin/python bench/locator.py                       # SQLite file var/bench/locator.sqlite3
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/locator.py
                                                            # PostgreSQL: database `cosell_bench` on that server

Options: --partners N (100000), --iterations N per scenario (200), --regenerate,
--pg-database NAME (cosell_bench). The data is generated once (bulk inserts: executemany
on SQLite, COPY on PostgreSQL) and reused while the partner count matches. Each scenario
is a full GraphQL request through the real app (auth, schema, plugin hook, database
lookup), measured end to end; the last one writes to the directory before each request
(the index catches up incrementally). Then it prints the locator index's build time and
memory, and the query plans of the SQL the lookup runs, to show the indexes in use.
Not a test: run it by hand and copy the figures into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from partners.demo import CERTIFICATIONS, LANGUAGES, PARTNER_WORDS, PLACES, SPECIALIZATIONS  # noqa: E402
from partners.infra.engines import bind_engine, engine_for, is_postgres_url  # noqa: E402
from partners.infra import row_counts  # noqa: E402
from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region, Role  # noqa: E402

CHILD_TABLES = ("partner_region_served", "partner_country_served", "partner_specialization",
                "partner_certification", "partner_language")
PARTNER_COLUMNS = ("id", "name", "nickname", "partner_type", "track", "is_psp", "status", "agreement_signed_at",
                   "trained_employees", "region", "country", "city", "website", "latitude", "longitude", "published",
                   "approved_registrations", "delivered_engagements", "created_at")

SCENARIOS = {
    "region+types+specialization": {"region": "EMEA", "types": ["RESELLER", "SYSTEM_INTEGRATOR"],
                                    "specializations": ["kubernetes"]},
    "country+language+tracks": {"country": "DE", "language": "de", "tracks": ["SELECT", "SELECT_SERVICES"]},
    "region+text": {"region": "APJ", "text": "cloud"},
    "near 100km+types": {"near": {"latitude": 52.52, "longitude": 13.40, "radiusKm": 100},
                         "types": ["RESELLER", "MSP", "SYSTEM_INTEGRATOR"]},
    "near 300km+specialization": {"near": {"latitude": 40.71, "longitude": -74.01, "radiusKm": 300},
                                  "specializations": ["devsecops"]},
    "page 3 of region+type": {"region": "AMER", "types": ["MSP"], "after": "b2Zmc2V0OjM5"},
}
# Before each request of this scenario, one partner's engagements change (a directory write).
AFTER_WRITE = "region+type after a write"
SCENARIOS[AFTER_WRITE] = {"region": "EMEA", "types": ["MSP"]}
QUERY = """
query Locate($input: PartnerLocatorInput) {
  partnerLocator(input: $input) {
    totalCount source
    facets { tracks { track count } types { type count } countries { country count } }
    pageInfo { hasNextPage endCursor }
    edges { cursor node { key partnerId name nickname type track isPsp region country city website
      latitude longitude regionsServed countriesServed specializations certifications languages
      approvedRegistrations deliveredEngagements distanceKm } }
  }
}
"""


# --- data -----------------------------------------------------------------------------


def generate(count: int, seed: int = 8) -> tuple[list[tuple], dict[str, list[tuple]]]:
    rng = random.Random(seed)
    types, weights = list(PartnerType), [40, 10, 20, 12, 6, 6, 6]
    regions = list(Region)
    created = datetime(2026, 1, 1, tzinfo=timezone.utc)
    partners: list[tuple] = []
    children: dict[str, list[tuple]] = {name: [] for name in CHILD_TABLES}
    child_id = {name: 0 for name in CHILD_TABLES}

    def child(table: str, pid: int, value: str) -> None:
        child_id[table] += 1
        children[table].append((child_id[table], pid, value))

    for pid in range(1, count + 1):
        ptype = rng.choices(types, weights)[0]
        region = regions[pid % len(regions)]
        country, city, lat, lon = rng.choice(PLACES[region])
        name = f"{rng.choice(PARTNER_WORDS)} {rng.choice(PARTNER_WORDS)} {ptype.value.title().replace('_', ' ')} {pid}"
        if rng.random() < 0.05:
            name = f"Cloud {name}"
        status = rng.choices([PartnerStatus.PROSPECT, PartnerStatus.AUTHORIZED, PartnerStatus.DENIED], [10, 85, 5])[0]
        partners.append((
            pid, name, f"P{pid}", ptype.value, rng.choices(list(PartnerTrack), [70, 20, 10])[0].value,
            rng.random() < 0.1, status.value, created, rng.randint(0, 25), region.value, country, city,
            f"https://p{pid}.example", round(lat + rng.uniform(-1.5, 1.5), 5), round(lon + rng.uniform(-1.5, 1.5), 5),
            rng.random() > 0.05, rng.randint(0, 40), rng.randint(0, 30), created,
        ))
        for r in {region.value} | ({rng.choice(regions).value} if rng.random() < 0.2 else set()):
            child("partner_region_served", pid, r)
        neighbours = [c for c, _, _, _ in PLACES[region] if c != country]
        for c in {country} | set(rng.sample(neighbours, k=min(len(neighbours), rng.randint(0, 2)))):
            child("partner_country_served", pid, c)
        for s in rng.sample(SPECIALIZATIONS, rng.randint(1, 3)):
            child("partner_specialization", pid, s)
        for c in rng.sample(CERTIFICATIONS, rng.randint(0, 2)):
            child("partner_certification", pid, c)
        for lang in {LANGUAGES.get(country, "en")} | ({"en"} if rng.random() < 0.7 else set()):
            child("partner_language", pid, lang)
    return partners, children


async def partner_count(engine) -> int:
    rows = await engine.run_ddl("SELECT COUNT(*) AS n FROM partner")
    return rows[0]["n"]


async def load(url: str, count: int) -> float:
    started = time.perf_counter()
    partners, children = generate(count)
    if is_postgres_url(url):
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            async with conn.transaction():
                # Bulk load without the directory triggers (one counter bump per row would
                # crawl); emptying directory_version below makes every index rebuild instead.
                await conn.execute("SET LOCAL session_replication_role = replica")
                await conn.execute("TRUNCATE partner, " + ", ".join(CHILD_TABLES) + " RESTART IDENTITY CASCADE")
                await conn.copy_records_to_table("partner", records=partners, columns=PARTNER_COLUMNS)
                for table, rows in children.items():
                    await conn.copy_records_to_table(table, records=rows, columns=("id", "partner", "value"))
                for table in ("partner", *CHILD_TABLES):
                    await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT MAX(id) FROM {table}))")
                await conn.execute("DELETE FROM directory_change")
                await conn.execute("DELETE FROM directory_version")
                # TRUNCATE … CASCADE reached the tables with maintained row counts, triggers off.
                for name in sorted(row_counts.TRACKED):
                    for sql in row_counts.recount_sql(name):
                        await conn.execute(sql)
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
    else:
        import sqlite3

        conn = sqlite3.connect(urlsplit(url).path)
        try:
            with conn:
                # As on PostgreSQL, without the directory triggers (SQLite cannot switch
                # them off: they are dropped and created again from their own SQL).
                triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                        "AND name LIKE '%directory%'").fetchall()
                for name, _ in triggers:
                    conn.execute(f"DROP TRIGGER {name}")
                for table in (*CHILD_TABLES, "partner"):
                    conn.execute(f"DELETE FROM {table}")
                marks = ", ".join("?" for _ in PARTNER_COLUMNS)
                conn.executemany(f"INSERT INTO partner ({', '.join(PARTNER_COLUMNS)}) VALUES ({marks})",
                                 [(*p[:7], p[7].isoformat(), *p[8:18], p[18].isoformat()) for p in partners])
                for table, rows in children.items():
                    conn.executemany(f"INSERT INTO {table} (id, partner, value) VALUES (?, ?, ?)", rows)
                for _, sql in triggers:
                    conn.execute(sql)
                conn.execute("DELETE FROM directory_change")
                conn.execute("DELETE FROM directory_version")
            conn.execute("ANALYZE")
        finally:
            conn.close()
    return time.perf_counter() - started


# --- plans ----------------------------------------------------------------------------


async def print_plans(postgres: bool, page_ids: list[int], version: int) -> None:
    """Plans of what the lookup runs: per request, then once per index build."""
    from partners.people.tables import Partner
    from plugins.builtin import locator_database as lookup, locator_directory as directory

    statements = [
        ("per request: index version check", directory.state_sql(version)),
        ("per request: page rows and lists", lookup.page_sql(page_ids)),
        ("per change: changed partners", directory.partners_sql(page_ids[:2])),
        ("per build: listed partners", directory.partners_sql()),
        ("per build: lists grouped by value", (directory.grouped_lists_sql(postgres), [])),
    ]
    prefix = "EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) " if postgres else "EXPLAIN QUERY PLAN "
    for label, (sql, args) in statements:
        print(f"\n  -- {label}")
        rows = await Partner.raw(prefix + sql, *args)
        for row in rows:
            if postgres:
                print("     " + row["QUERY PLAN"])
            else:
                print(f"     {'  ' * _depth(row, rows)}{row['detail']}")


async def print_floor(client, headers: dict, iterations: int) -> None:
    """The same request path with a trivial query: what any request costs here (auth, budget,
    GraphQL), to tell the locator's share from the rest. Not counted in ALL."""
    times, cpu = [], []
    for i in range(iterations + 10):
        started, cpu_started = time.perf_counter(), time.process_time()
        await client.post("/graphql", json={"query": "{ viewer { __typename } }"}, headers=headers)
        if i >= 10:
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    print(f"{'floor: { viewer { __typename } }':32} {'':>8} {'':>5} {statistics.median(times):>7.2f} "
          f"{_pct(times, 95):>7.2f} {max(times):>7.2f} {statistics.median(cpu):>7.2f}")


async def index_figures() -> None:
    """Build time and memory of one locator index (a fresh one, as a new worker builds it)."""
    import tracemalloc

    from partners.infra.db import current_engine
    from plugins.builtin.locator_directory import Directory

    fresh = Directory(current_engine())
    started = time.perf_counter()
    await fresh.current()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    traced = Directory(current_engine())
    await traced.current()
    size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    index = traced.index
    print(f"locator index: {index.size:,} listed partners, {len(index.bitmaps)} bitmaps; build {seconds:.2f} s; "
          f"memory {size / 2**20:.1f} MiB (peak while building {peak / 2**20:.1f} MiB)")


async def write_directory(engine, rng: random.Random, count: int) -> None:
    """One directory change, as the deal flow makes it: a partner's engagements move."""
    await engine.run_ddl(f"UPDATE partner SET delivered_engagements = delivered_engagements + 1 "
                         f"WHERE id = {rng.randint(1, count)}")


def _depth(row, rows) -> int:
    parents = {r["id"]: r["parent"] for r in rows}
    depth, parent = 0, row["parent"]
    while parent:
        depth, parent = depth + 1, parents.get(parent, 0)
    return depth


# --- run ------------------------------------------------------------------------------


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * len(ordered) + 0.5)) - 1)]


async def run(url: str, count: int, iterations: int, regenerate: bool) -> None:
    import httpx

    from partners.infra.migrate import apply_migrations
    from partners.people.identity import create_user, issue_token
    from partners.people.tables import ApiToken, User
    from server.app import create_app
    from server.settings import Settings

    postgres = is_postgres_url(url)
    engine = engine_for(url)
    bind_engine(engine)
    await apply_migrations()
    existing = await partner_count(engine)
    print(f"engine: {'PostgreSQL' if postgres else 'SQLite'}  ({url})")
    if regenerate or existing != count:
        print(f"generating {count:,} partners (had {existing:,}) ...", flush=True)
        seconds = await load(url, count)
        print(f"generated and loaded in {seconds:.1f} s")
    else:
        print(f"reusing {existing:,} partners")
    child_rows = 0
    for table in CHILD_TABLES:
        child_rows += (await engine.run_ddl(f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"]
    print(f"directory rows: {child_rows:,}")

    await ApiToken.delete(force=True)
    await User.delete(force=True)
    user = await create_user(email="bench@cosell.example", name="Bench", role=Role.SALES_OPS)
    _, token = await issue_token(user.id, name="bench")

    settings = Settings.from_env(database_url=url, expose_metrics=True, log_level="WARNING", log_json=False)
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {token}"}
    all_times: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            print(f"\n{'scenario':32} {'matches':>8} {'stmts':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
                  f"{'cpu p50':>7}")
            rng = random.Random(8)
            page_ids: list[int] = []
            for name, input_ in SCENARIOS.items():
                times, cpu = [], []
                for i in range(iterations + 10):
                    if name == AFTER_WRITE:
                        await write_directory(engine, rng, count)
                    started, cpu_started = time.perf_counter(), time.process_time()
                    response = await client.post("/graphql", json={"query": QUERY, "variables": {"input": input_}},
                                                 headers=headers)
                    elapsed = (time.perf_counter() - started) * 1000
                    body = response.json()
                    if "errors" in body:
                        raise SystemExit(f"{name}: {body['errors']}")
                    if i >= 10:  # warm-up excluded (the first request builds the index)
                        times.append(elapsed)
                        cpu.append((time.process_time() - cpu_started) * 1000)
                    elif not all_times and i == 0:
                        print(f"{'(first request: index build)':32} {'':>8} {'':>5} {elapsed:>7.0f}")
                all_times += times
                result = body["data"]["partnerLocator"]
                page_ids = page_ids or [int(_node_pk(e["node"]["partnerId"])) for e in result["edges"]]
                print(f"{name:32} {result['totalCount']:>8,} {body['extensions']['sqlStatements']:>5} "
                      f"{statistics.median(times):>7.2f} {_pct(times, 95):>7.2f} {max(times):>7.2f} "
                      f"{statistics.median(cpu):>7.2f}")
            print(f"{'ALL':32} {'':>8} {'':>5} {statistics.median(all_times):>7.2f} {_pct(all_times, 95):>7.2f} "
                  f"{max(all_times):>7.2f}")
            await print_floor(client, headers, iterations)
        print()
        await index_figures()
    print("\nquery plans (the SQL of the database lookup):")
    from plugins.builtin.locator_directory import directory

    await print_plans(postgres, page_ids, directory().version)
    verdict = "OK" if _pct(all_times, 95) <= 20 else "OVER TARGET"
    print(f"\np95 over all scenarios: {_pct(all_times, 95):.2f} ms (target <= 20 ms): {verdict}")


def _node_pk(global_id: str) -> str:
    import base64

    return base64.b64decode(global_id).decode().split(":", 1)[1]


def _database_url(pg_database: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if is_postgres_url(base):
        return urlunsplit(urlsplit(base)._replace(path=f"/{pg_database}"))
    path = ROOT / "var" / "bench" / "locator.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


async def _ensure_pg_database(url: str, name: str) -> None:
    import asyncpg

    admin = urlunsplit(urlsplit(url)._replace(path="/" + urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")))
    conn = await asyncpg.connect(admin)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--pg-database", default="cosell_bench", help="database on the DATABASE_URL server")
    args = parser.parse_args()
    url = _database_url(args.pg_database)
    if is_postgres_url(url):
        asyncio.run(_ensure_pg_database(url, args.pg_database))
    os.environ["DATABASE_URL"] = url
    asyncio.run(run(url, args.partners, args.iterations, args.regenerate))


if __name__ == "__main__":
    main()
