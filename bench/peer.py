"""The peer, side by side (issue 38): PostGraphile serving the same bench database.

    python -m bench.run --database-url postgresql://… --peer

PostGraphile 4.14 (Node) is installed from the npm registry at run time into bench/.peer/
(ignored by git; `make test` never needs it) and started as one process on the bench
database (`--disable-query-log`, NODE_ENV=production, no JWT, no RLS: it enforces none of
cosell's rules). Then operation 3 — `allOpportunities(first: 100, orderBy: ID_DESC)` with
totalCount, account, partners with partner, contacts with contact: the same rows and
fields as cosell's `opportunities(first: 100)` — is driven by wrk against cosell generic,
cosell compiled and the floor (one cosell worker) and against PostGraphile, each in turn:
req/s and p50/p99 at 1 client, req/s and p50/p99 at 32 clients, and, over the 32-client
run, CPU ms per request of the API process(es), of the database's PostgreSQL backends, of
wrk and of the whole machine (/proc; bench/proc.py).

Operations 1 and 2 are not offered to the peer: both are scoped to the caller (a partner
user's own registrations, a channel manager's region) and compute domain answers (P4 due
dates, D2 conflicts, discount quotes) that a view over the tables would reimplement rather
than serve — a view would measure a different query, not the same work.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx

from bench.harness import Operation, _wrk, stop_process_group
from bench.proc import CpuMeter, load_average

PEER_DIR = Path(__file__).resolve().parent / ".peer"
PEER_PACKAGE = "postgraphile@4.14.1"

PEER_OPPORTUNITIES = """
query Opportunities {
  allOpportunities(first: 100, orderBy: ID_DESC) {
    totalCount pageInfo { hasNextPage }
    nodes { id name stage currency amount closeDate
            accountByAccount { id name segment }
            opportunityPartnersByOpportunity { nodes { role isPrimary partnerByPartner { id name } } }
            opportunityContactsByOpportunity { nodes { role isPrimary contactByContact { id name email } } } }
  }
}
"""


def install() -> Path:
    """PostGraphile's CLI, installed into bench/.peer/ from the npm registry when missing."""
    cli = PEER_DIR / "node_modules" / "postgraphile" / "cli.js"
    if not cli.exists():
        if shutil.which("npm") is None or shutil.which("node") is None:
            raise SystemExit("--peer needs Node.js and npm (PostGraphile is installed from the npm registry)")
        PEER_DIR.mkdir(exist_ok=True)
        print(f"installing {PEER_PACKAGE} into {PEER_DIR} …")
        subprocess.run(["npm", "install", "--prefix", str(PEER_DIR), "--no-audit", "--no-fund", "--silent",
                        PEER_PACKAGE], check=True)
    return cli


class PeerServer:
    def __init__(self, database_url: str, port: int) -> None:
        self.database_url = database_url
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        cli = install()
        env = {**os.environ, "NODE_ENV": "production"}
        self.process = subprocess.Popen(
            ["node", str(cli), "--connection", self.database_url, "--schema", "public", "--host", "127.0.0.1",
             "--port", str(self.port), "--disable-query-log", "--disable-graphiql"],
            env=env, start_new_session=True, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                r = httpx.post(f"{self.url}/graphql", json={"query": "{ __typename }"}, timeout=2)
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"PostGraphile exited during startup (port {self.port} taken? --peer-port)")
            time.sleep(0.3)
        raise RuntimeError("PostGraphile did not answer in 120 s")

    def pids(self) -> list[int]:
        return [self.process.pid] if self.process else []

    def stop(self) -> None:
        stop_process_group(self.process)


@contextmanager
def running_peer(database_url: str, port: int) -> Iterator[PeerServer]:
    peer = PeerServer(database_url, port)
    peer.start()
    try:
        yield peer
    finally:
        peer.stop()


@dataclass
class SideFigures:
    name: str
    rps_1: float = 0.0
    p50_1: float = 0.0
    p99_1: float = 0.0
    rps_32: float = 0.0
    p50_32: float = 0.0
    p99_32: float = 0.0
    api_ms: float = 0.0  # CPU ms per request, over the 32-client run
    pg_ms: float = 0.0
    wrk_ms: float = 0.0
    machine_ms: float = 0.0
    errors: int = 0


def drive(server, op: Operation, pids, database_url: str, *, clients: int, seconds: float) -> SideFigures:
    """wrk at 1 client, then at `clients` with CPU read around it."""
    response = httpx.post(f"{server.url}{op.path}", json=op.body(), headers=_headers(op), timeout=30)
    body = response.json()
    if response.status_code != 200 or "errors" in body:
        raise SystemExit(f"{op.name}: the operation fails: {str(body)[:500]}")
    figures = SideFigures(op.name)
    _wrk(server, op, connections=clients, threads=2, seconds=1)  # warm-up: pools at full size
    figures.p50_1, _, figures.p99_1, figures.rps_1, e1 = _wrk(server, op, connections=1, threads=1, seconds=seconds)
    meter = CpuMeter(pids, database_url)
    meter.start()
    figures.p50_32, _, figures.p99_32, figures.rps_32, e32 = _wrk(server, op, connections=clients, threads=2,
                                                                  seconds=seconds)
    cpu = meter.stop()
    requests = max(1.0, figures.rps_32 * max(1, round(seconds)))  # wrk's count: its rate over its duration
    figures.api_ms, figures.pg_ms = cpu.api_ms / requests, cpu.pg_ms / requests
    figures.wrk_ms, figures.machine_ms = cpu.load_generator_ms / requests, cpu.machine_ms / requests
    figures.errors = e1 + e32
    return figures


def _headers(op: Operation) -> dict:
    return {"Authorization": f"Bearer {op.token}"} if op.token else {}


def side_by_side(database_url: str, cosell_ops: list[Operation], *, port: int, peer_port: int, clients: int,
                 seconds: float) -> list[SideFigures]:
    """Operation 3 on cosell (one worker: generic, compiled, floor) and on PostGraphile, each
    driven alone while the other server is stopped."""
    from bench.harness import running_server

    rows = []
    print(f"side by side with the peer; load before: {load_average()}")
    with running_server(database_url, port=port, workers=1) as server:
        for op in cosell_ops:
            rows.append(drive(server, op, server.worker_pids, database_url, clients=clients, seconds=seconds))
    with running_peer(database_url, peer_port) as peer:
        op = Operation("  PostGraphile 4.14", PEER_OPPORTUNITIES, "")
        rows.append(drive(peer, op, peer.pids, database_url, clients=clients, seconds=seconds))
    print(f"load after: {load_average()}")
    return rows


def print_side_by_side(rows: list[SideFigures], clients: int) -> None:
    header = (f"{'operation 3, one process':<28} {'req/s@1':>8} {'p50@1':>7} {'p99@1':>7} {f'req/s@{clients}':>9} "
              f"{f'p50@{clients}':>8} {f'p99@{clients}':>8} {'API ms':>7} {'PG ms':>7} {'wrk ms':>7} "
              f"{'machine':>8} {'errors':>6}")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r.name:<28} {r.rps_1:>8.0f} {r.p50_1:>7.1f} {r.p99_1:>7.1f} {r.rps_32:>9.0f} {r.p50_32:>8.1f} "
              f"{r.p99_32:>8.1f} {r.api_ms:>7.2f} {r.pg_ms:>7.2f} {r.wrk_ms:>7.2f} {r.machine_ms:>8.2f} {r.errors:>6}")
    print(f"(latency in ms; CPU ms per request over the {clients}-client run: the API process, the database's "
          "PostgreSQL backends, wrk, and the whole machine (/proc/stat, neighbours included))")
