"""Benchmark harness: run cosell as production would and measure it from outside.

The server runs as `uvicorn --factory server.app:create_app --workers N` in its own
process group; load comes from this (separate) process over loopback HTTP.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Operation:
    name: str
    query: str
    token: str
    variables: dict = field(default_factory=dict)
    path: str = "/graphql"
    # Send the document's SHA-256 (a registered document, issue 17) instead of its text.
    persisted: bool = False

    def body(self) -> dict:
        if not self.query:
            return {}
        if self.persisted:
            digest = hashlib.sha256(self.query.encode()).hexdigest()
            return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}, "variables": self.variables}
        return {"query": self.query, "variables": self.variables}


@dataclass
class Figures:
    name: str
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    rps_32: float = 0.0
    sql_statements: int | None = None
    errors: int = 0
    # For a floor row: the GraphQL figures it is the floor of (the ratio is printed).
    ratio_of: "Figures | None" = None


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class Server:
    def __init__(self, database_url: str, port: int, workers: int, background_jobs: bool = False) -> None:
        self.database_url = database_url
        self.port = port
        self.workers = workers
        self.background_jobs = background_jobs  # bench/jobs.py: on, as in production
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "COSELL_EXPOSE_METRICS": "1",
            "COSELL_LOG_LEVEL": "WARNING",
            "COSELL_DB_POOL_MAX": os.environ.get("COSELL_DB_POOL_MAX", "20"),
            # Every request still spends from its budget (the same work); the limit is
            # only high enough that wrk's thousands of requests a minute are not throttled.
            "COSELL_COST_BUDGET_PER_MINUTE": os.environ.get("COSELL_COST_BUDGET_PER_MINUTE", "1000000000"),
            "COSELL_BACKGROUND_JOBS": "1" if self.background_jobs else "0",
        }
        # `cosell serve`'s uvicorn settings; the production app plus the floor routes
        # (bench/floor.py), nothing else.
        cmd = [sys.executable, "-m", "bench.serve", "--port", str(self.port), "--workers", str(self.workers)]
        if os.environ.get("BENCH_PLAIN_H11"):
            cmd.append("--plain-h11")
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("the server exited during startup")
            time.sleep(0.2)
        raise RuntimeError("the server did not become ready in 60 s")

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        pids = [int(p) for p in out.stdout.split()]
        return pids or [self.process.pid]

    def peak_rss_mb(self) -> dict[int, float]:
        """VmHWM (peak resident set) of each worker, in MiB."""
        peaks = {}
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = int(line.split()[1]) / 1024
            except FileNotFoundError:
                continue
        return peaks

    def stop(self) -> None:
        stop_process_group(self.process)


def stop_process_group(process: subprocess.Popen | None) -> None:
    """SIGTERM the server's process group, SIGKILL it if it has not exited within 20 s."""
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def running_server(database_url: str, port: int = 8765, workers: int = 2) -> Iterator[Server]:
    server = Server(database_url, port, workers)
    server.start()
    try:
        yield server
    finally:
        server.stop()


_WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
{auth}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %f %f %f %d %d %d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def _wrk(server: Server, op: Operation, *, connections: int, threads: int, seconds: float) -> tuple[float, float, float, float, int]:
    """(p50 ms, p95 ms, p99 ms, requests/s, errors) from a wrk run."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(_WRK_SCRIPT.format(body=_lua_string(json.dumps(op.body())), auth=f'wrk.headers["Authorization"] = {_lua_string(f"Bearer {op.token}")}' if op.token else ""))
    try:
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(script), f"{server.url}{op.path}"],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        script.unlink()
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    p50, p95, p99, requests, duration_us, errors = line.split()[1:]
    return float(p50), float(p95), float(p99), int(requests) / (int(duration_us) / 1e6), int(errors)


def measure(server: Server, op: Operation, *, clients: int, seconds: float) -> Figures:
    """Latency at 1 client, throughput at `clients`, and SQL statements of one request."""
    if shutil.which("wrk") is None:
        raise SystemExit("bench needs wrk (Debian package `wrk`): apt-get install wrk")
    # One checked request: it must answer without errors, and it reports its SQL count.
    response = httpx.post(f"{server.url}{op.path}", json=op.body(), headers={"Authorization": f"Bearer {op.token}"}, timeout=30)
    try:
        body = response.json()
    except ValueError:
        raise SystemExit(f"{op.name}: HTTP {response.status_code}: {response.text[:500]}")
    figures = Figures(op.name, sql_statements=body.get("extensions", {}).get("sqlStatements"))
    if response.status_code != 200 or "errors" in body:
        raise SystemExit(f"{op.name}: the operation fails: {str(body)[:500]}")
    _wrk(server, op, connections=1, threads=1, seconds=1)  # warm-up
    figures.p50_ms, figures.p95_ms, figures.p99_ms, _, errors = _wrk(server, op, connections=1, threads=1, seconds=seconds)
    _, _, _, figures.rps_32, errors_32 = _wrk(server, op, connections=clients, threads=2, seconds=seconds)
    figures.errors = errors + errors_32
    return figures


@dataclass
class CpuFigures:
    """CPU ms per request in process (time.process_time, this process and its driver
    threads), median of n requests; for the same operation by text, by registered id, and
    its floor."""

    name: str
    generic: float
    persisted: float | None
    floor: float | None
    n: int


def print_cpu_table(rows: list[CpuFigures]) -> None:
    header = (f"{'operation':<28} {'generic':>8} {'compiled':>8} {'floor':>8} {'generic/floor':>14} "
              f"{'compiled/floor':>14}")
    print(header)
    print("-" * len(header))
    for r in rows:
        ratio = lambda v: f"{v / r.floor:.1f}x" if v is not None and r.floor else "-"  # noqa: E731
        fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
        print(f"{r.name:<28} {fmt(r.generic):>8} {fmt(r.persisted):>8} {fmt(r.floor):>8} {ratio(r.generic):>14} "
              f"{ratio(r.persisted):>14}")
    print(f"(CPU ms per request in process, median of {rows[0].n if rows else 0}; 'generic': the text through "
          "graphql-core's executor; 'compiled': the registered document sent by its SHA-256, run by its compiled "
          "plan (schema/compiled; parse, validation and cost cached per document))")


def print_table(rows: list[Figures], rss: dict[int, float]) -> None:
    header = (f"{'operation':<28} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s@32':>9} {'SQL/req':>8} "
              f"{'errors':>7} {'GraphQL/floor':>14}")
    print(header)
    print("-" * len(header))
    for r in rows:
        sql = "-" if r.sql_statements is None else str(r.sql_statements)
        ratio = ""
        if r.ratio_of is not None:
            g = r.ratio_of
            rps = f"{r.rps_32 / g.rps_32:.1f}x" if g.rps_32 >= 1 else "-"
            ratio = f"p50 {g.p50_ms / r.p50_ms:.1f}x, rps {rps}" if r.p50_ms > 0 else "-"
        print(f"{r.name:<28} {r.p50_ms:>8.2f} {r.p95_ms:>8.2f} {r.p99_ms:>8.2f} {r.rps_32:>9.0f} {sql:>8} {r.errors:>7} {ratio:>14}")
    print("peak RSS per worker: " + ", ".join(f"pid {pid}: {mb:.0f} MiB" for pid, mb in sorted(rss.items())))
    print("(latency percentiles at 1 client; throughput at 32 concurrent clients; SQL/req: statements "
          "of the request incl. the token lookup, not the budget/audit/idempotency writes; GraphQL/floor: p50 latency and throughput ratios)")
