"""Background jobs on the bench world (issue 38): `python -m bench.run --jobs` (or `python -m bench.jobs`).

A server (`bench/serve.py`, one worker) starts on the bench world with its background jobs on,
as a production instance would after an outage: the jobs catch up on what is due (P6 expiry
of approved registrations past `expires_at`, P4 returns, the review digests, the outbox that
delivers what they enqueue …). Meanwhile:

- every `SAMPLE` seconds, CPU of the worker process and of the database's PostgreSQL
  backends (/proc, bench/proc.py), as % of one core;
- back to back, short wrk runs at 1 client of a request (operation 3 by id, compiled), whose
  p99 is compared with the same runs once the jobs are idle;
- the backlog left (due rows in the database), until none is left: the catch-up time.

Then, idle: one minute with no request (CPU per minute of the worker and the backends,
% of a core), and the same wrk runs (idle p99).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

from bench.harness import Operation, Server, _wrk
from bench.proc import CpuMeter, load_average, run_apart

SAMPLE = 5.0  # seconds per CPU sample
PROBE_SECONDS = 3  # one wrk run of the request probe
IDLE_SECONDS = 60.0

# What is due for the jobs (each must reach 0 for the catch-up to be over).
BACKLOG = {
    "registrations to expire (P6)": "SELECT count(*) FROM deal_registration WHERE status = 'APPROVED' "
                                    "AND expires_at <= now()",
    "returns to close (P4)": "SELECT count(*) FROM deal_registration WHERE status = 'RETURNED' "
                             "AND reply_due_at <= now()",
    "outbox messages due": "SELECT count(*) FROM outbox_message WHERE status = 'PENDING' "
                           "AND next_attempt_at <= now()",
}


@dataclass
class JobFigures:
    backlog_before: dict[str, int] = field(default_factory=dict)
    catch_up_seconds: float = 0.0
    caught_up: bool = False
    samples: list[tuple[float, float, float]] = field(default_factory=list)  # (t, worker %, pg %)
    p99_catch_up: list[float] = field(default_factory=list)
    p99_idle: list[float] = field(default_factory=list)
    idle_worker_ms_per_min: float = 0.0
    idle_pg_ms_per_min: float = 0.0
    load_before: str = ""
    load_after: str = ""


def backlog(database_url: str) -> dict[str, int]:
    import asyncpg

    async def ask() -> dict[str, int]:
        conn = await asyncpg.connect(database_url)
        try:
            return {name: await conn.fetchval(sql) for name, sql in BACKLOG.items()}
        finally:
            await conn.close()

    return run_apart(ask())


def run_jobs_bench(database_url: str, probe: Operation, *, port: int, max_seconds: float) -> JobFigures:
    figures = JobFigures(load_before=load_average(), backlog_before=backlog(database_url))
    server = Server(database_url, port, 1, background_jobs=True)
    started = time.monotonic()
    server.start()
    try:
        meter_pids = server.worker_pids
        last = time.monotonic()
        meter = CpuMeter(meter_pids, database_url)
        meter.start()
        while time.monotonic() - started < max_seconds:
            _, _, p99, _, _ = _wrk(server, probe, connections=1, threads=1, seconds=PROBE_SECONDS)
            figures.p99_catch_up.append(p99)
            if time.monotonic() - last >= SAMPLE:
                cpu = meter.stop()
                elapsed = time.monotonic() - last
                figures.samples.append((time.monotonic() - started, cpu.api_ms / elapsed / 10,
                                        cpu.pg_ms / elapsed / 10))
                meter.start()
                last = time.monotonic()
                left = backlog(database_url)
                if not any(left.values()):
                    figures.caught_up = True
                    break
        figures.catch_up_seconds = time.monotonic() - started
        # Idle: jobs only, no request, for a minute.
        time.sleep(2)
        meter.start()
        time.sleep(IDLE_SECONDS)
        cpu = meter.stop()
        figures.idle_worker_ms_per_min = cpu.api_ms * 60 / IDLE_SECONDS
        figures.idle_pg_ms_per_min = cpu.pg_ms * 60 / IDLE_SECONDS
        for _ in range(max(3, len(figures.p99_catch_up) // 2)):
            figures.p99_idle.append(_wrk(server, probe, connections=1, threads=1, seconds=PROBE_SECONDS)[2])
            if len(figures.p99_idle) >= 10:
                break
    finally:
        server.stop()
    figures.load_after = load_average()
    return figures


def print_jobs(f: JobFigures) -> None:
    print(f"background jobs on the bench world (one worker, jobs on); load before: {f.load_before}")
    print("backlog at start: " + ", ".join(f"{k} {v:,}" for k, v in f.backlog_before.items()))
    worker = [w for _, w, _ in f.samples] or [0.0]
    pg = [p for _, _, p in f.samples] or [0.0]
    state = "caught up" if f.caught_up else "NOT caught up (stopped at --jobs-max-seconds)"
    print(f"catch-up: {f.catch_up_seconds:.0f} s, {state}; worker CPU peak {max(worker):.0f} % of a core "
          f"(mean {statistics.mean(worker):.0f} %), PostgreSQL backends peak {max(pg):.0f} % (mean "
          f"{statistics.mean(pg):.0f} %), {SAMPLE:.0f}-s samples incl. the probe requests")
    print(f"idle after catch-up: worker {f.idle_worker_ms_per_min:.0f} ms CPU per minute "
          f"({f.idle_worker_ms_per_min / 600:.2f} % of a core), PostgreSQL backends "
          f"{f.idle_pg_ms_per_min:.0f} ms per minute ({f.idle_pg_ms_per_min / 600:.2f} %)")
    if f.p99_catch_up and f.p99_idle:
        during, idle = statistics.median(f.p99_catch_up), statistics.median(f.p99_idle)
        print(f"probe p99 (median of {PROBE_SECONDS}-s wrk runs at 1 client): during catch-up {during:.1f} ms "
              f"(worst {max(f.p99_catch_up):.1f}), idle {idle:.1f} ms (worst {max(f.p99_idle):.1f}): "
              f"{during / idle:.1f}x")
    print(f"load after: {f.load_after}")
