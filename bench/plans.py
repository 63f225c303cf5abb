"""The database side of operations 1–3 and of the background jobs, statement by statement:

    python -m bench.plans --database-url postgresql://postgres@127.0.0.1:5432/cosell_perf [--out bench/plans]

Sends each operation (by text and by id: generic and compiled) once through the real app in
this process while recording every statement the driver (asyncpg) runs with its arguments,
then runs `EXPLAIN (ANALYZE, BUFFERS)` of each distinct statement with the same arguments on
a connection of its own, in a transaction that is rolled back (the budget upsert and the
jobs' writes change nothing). With `--jobs`, the same for one run of every background job
(`server.background.background_jobs`), after the requests, stopped after a few seconds
(its should_stop; a job catching up repeats the same statements batch after batch) — the
jobs' writes are real: they do on the bench world what a server started on it would do. One file per operation or job
in `--out` (bench/plans/*.txt are the recorded ones; RESULTS.md says which run).

PostgreSQL only: SQLite's EXPLAIN QUERY PLAN says nothing of the work done.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import time
from pathlib import Path

from bench.generate import DEFAULT_URL

Recorded = list[tuple[str, tuple]]
JOB_SECONDS = 3.0


@contextlib.contextmanager
def recording_statements() -> "contextlib.Generator[Recorded]":
    """Every statement asyncpg runs meanwhile, with its arguments (bench only: the
    driver's methods are wrapped for the duration, nothing of the app is replaced)."""
    from asyncpg.connection import Connection

    recorded: Recorded = []
    names = ("fetch", "fetchrow", "fetchval", "execute", "executemany")
    originals = {name: getattr(Connection, name) for name in names}

    def wrap(name, original):
        async def method(self, query, *args, **kwargs):
            if name != "executemany" and not query.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK",
                                                                               "SAVEPOINT", "RELEASE")):
                recorded.append((query, args))
            return await original(self, query, *args, **kwargs)
        return method

    for name, original in originals.items():
        setattr(Connection, name, wrap(name, original))
    try:
        yield recorded
    finally:
        for name, original in originals.items():
            setattr(Connection, name, original)


def distinct(recorded: Recorded, by_text: bool = False) -> Recorded:
    """Each statement once (with the same arguments; `by_text`: once whatever its
    arguments, the first run's, for a job repeating its statements per row)."""
    seen, out = set(), []
    for query, args in recorded:
        key = query if by_text else (query, repr(args))
        if key not in seen:
            seen.add(key)
            out.append((query, args))
    return out


async def explain(url: str, statements: Recorded) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement, each in a rolled-back transaction."""
    import asyncpg

    conn = await asyncpg.connect(url)
    parts = []
    try:
        for number, (query, args) in enumerate(statements, 1):
            shown_args = ", ".join(_short(a) for a in args)
            parts.append(f"-- statement {number}\n{_compact(query)}\n-- arguments: [{shown_args}]\n")
            transaction = conn.transaction()
            await transaction.start()
            try:
                rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {query}", *args)
                parts.append("\n".join(r[0] for r in rows) + "\n")
            except Exception as exc:  # noqa: BLE001 - a statement that cannot be explained is said so
                parts.append(f"(not explained: {type(exc).__name__}: {exc})\n")
            finally:
                await transaction.rollback()
    finally:
        await conn.close()
    return "\n".join(parts)


def _compact(query: str) -> str:
    return re.sub(r"\s+", " ", query).strip()


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def summary(plan_text: str) -> list[tuple[float, str]]:
    """(execution ms, first plan line) of each statement of a plan file."""
    out = []
    for block in plan_text.split("-- statement ")[1:]:
        lines = block.splitlines()
        ms = next((float(m.group(1)) for line in lines if (m := re.search(r"Execution Time: ([\d.]+) ms", line))), 0.0)
        first = next((line.strip() for line in lines[3:] if line.strip()), "")
        out.append((ms, first[:90]))
    return out


async def record(url: str, only, jobs: bool, operations_too: bool) -> dict[str, Recorded]:
    """The statements of operations 1-3 (each by text, by id and its floor) and, with
    `jobs`, of one run of every background job of the app (jobs after the requests)."""
    import httpx

    from bench.floor import create_app
    from bench.run import PERSISTED_OPS, operations, persisted, prepare, register_documents
    from server.background import run_measured

    world = await prepare(url, 1.0, False)
    await register_documents()
    app = create_app()
    found: dict[str, Recorded] = {}
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            for op, floor in operations(world) if operations_too else ():
                number = op.name.split()[0]
                if number not in PERSISTED_OPS or (only and number not in only):
                    continue
                for label, target in (("generic", op), ("compiled", persisted(op)), ("floor", floor)):
                    headers = {"Authorization": f"Bearer {target.token}"}
                    await client.post(target.path, json=target.body(), headers=headers)  # warm: caches as in a run
                    with recording_statements() as recorded:
                        response = await client.post(target.path, json=target.body(), headers=headers)
                    assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]
                    found[f"op{number}-{label}"] = distinct(recorded)
        for job in app.state.background.jobs if jobs else ():
            # A few seconds of each: a job catching up on the world would run for minutes,
            # and its statements repeat from batch to batch.
            deadline = time.monotonic() + JOB_SECONDS
            with recording_statements() as recorded:
                await run_measured(job, lambda: time.monotonic() > deadline)
            found[f"job-{job.name}"] = distinct(recorded, by_text=True)
    return found


async def main_async(args) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("COSELL_COST_BUDGET_PER_MINUTE", "1000000000")
    os.environ["COSELL_BACKGROUND_JOBS"] = "0"
    os.environ.setdefault("COSELL_LOG_LEVEL", "WARNING")
    found = await record(args.database_url, args.only, args.jobs or args.jobs_only, not args.jobs_only)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, statements in found.items():
        text = await explain(args.database_url, statements)
        (out / f"{name}.txt").write_text(f"# {name}: {len(statements)} statements, EXPLAIN (ANALYZE, BUFFERS)\n\n{text}")
        total = sum(ms for ms, _ in summary(text))
        print(f"{name:<28} {len(statements):>3} statements, {total:8.2f} ms executing")
        for ms, first in summary(text):
            print(f"    {ms:8.2f} ms  {first}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--out", default="bench/plans")
    parser.add_argument("--only", nargs="*", help="operation numbers, e.g. --only 3")
    parser.add_argument("--jobs", action="store_true", help="also one run of every background job")
    parser.add_argument("--jobs-only", action="store_true", help="only the background jobs")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
