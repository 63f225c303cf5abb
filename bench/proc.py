"""CPU time from /proc (Linux): of given processes, of the whole machine, and of the
PostgreSQL backends serving one database — read before and after a load run.

Why the backends by pid: pg_stat_statements would need `shared_preload_libraries` (a
server restart), and "whole machine minus the API process" counts the load generator and
every neighbour on a shared machine. A backend's own utime+stime (/proc/<pid>/stat) is
what PostgreSQL spent for this server's requests; pooled connections live through a run.
"""

from __future__ import annotations

import concurrent.futures
import os
import resource
from dataclasses import dataclass
from pathlib import Path

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def process_ms(pids: list[int]) -> float:
    """utime + stime of these processes (ms); a process that is gone counts 0."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total * TICK_MS


def machine_busy_ms() -> float:
    """Busy CPU time of the whole machine, all cores (ms): /proc/stat's first line without
    idle and iowait."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) * TICK_MS


def children_ms() -> float:
    """CPU of this process's finished children (the load generator, wrk)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def backend_pids(database_url: str, database: str) -> list[int]:
    """Pids of the PostgreSQL backends connected to `database` (other than the one asking)."""
    import asyncpg

    async def ask() -> list[int]:
        conn = await asyncpg.connect(database_url)
        try:
            rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                                    database)
            return [r["pid"] for r in rows]
        finally:
            await conn.close()

    return run_apart(ask())


def run_apart(coroutine):
    """Run a coroutine to its end in a thread of its own: the caller may be inside an event
    loop (bench.run's)."""
    import asyncio

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@dataclass
class CpuSnapshot:
    api_ms: float
    pg_ms: float
    machine_ms: float
    load_generator_ms: float


class CpuMeter:
    """CPU spent between `start()` and `stop()` by the API processes, the database's
    backends (those connected at the end; pooled connections live through a run), the load generator and the machine."""

    def __init__(self, api_pids, database_url: str | None = None) -> None:
        self.api_pids = api_pids  # a callable returning the pids (workers can be listed late)
        self.database_url = database_url

    def _pg_pids(self) -> list[int]:
        if not self.database_url or not self.database_url.startswith("postgres"):
            return []
        from urllib.parse import urlsplit

        return backend_pids(self.database_url, urlsplit(self.database_url).path.lstrip("/"))

    def start(self) -> None:
        self._pg = self._pg_pids()
        pids = self.api_pids()
        self._before = CpuSnapshot(process_ms(pids), process_ms(self._pg), machine_busy_ms(), children_ms())
        self._pg_before = {pid: process_ms([pid]) for pid in self._pg}

    def stop(self) -> CpuSnapshot:
        machine, children, api = machine_busy_ms(), children_ms(), process_ms(self.api_pids())
        # A backend that started meanwhile (the pool grew) counts whole.
        pg = sum(process_ms([pid]) - self._pg_before.get(pid, 0.0) for pid in self._pg_pids())
        b = self._before
        return CpuSnapshot(api - b.api_ms, pg, machine - b.machine_ms, children - b.load_generator_ms)


def load_average() -> str:
    return Path("/proc/loadavg").read_text().strip()
