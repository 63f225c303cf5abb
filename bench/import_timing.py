"""Time `cosell import` of the benchmark input (bench/import_generate.py) into a fresh
database, and its peak memory (issue 35).

    python -m bench.import_generate /tmp/import-bench
    python -m bench.import_timing /tmp/import-bench                     # SQLite, a new file
    python -m bench.import_timing /tmp/import-bench --postgres postgresql://postgres@127.0.0.1:5432/postgres

Prints one Markdown table row: engine, input size, rows, wall and CPU seconds of the import
(the importing process's and its parsing process's), the PostgreSQL backends' CPU seconds, rows/s,
peak RSS and PSS of the import process and its parsing process, the load average before and after (the machine is shared:
record it with the figures), and the same for a second run of the same files (nothing changes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import proc  # noqa: E402


class BackendCpu:
    """CPU seconds of the PostgreSQL backends serving one database, while a command runs:
    their pids are found in /proc (`postgres: USER DATABASE …`), polled every 0.2 s, and
    each one's last utime + stime counts (a backend is gone once its connection closes)."""

    def __init__(self, database: str | None) -> None:
        self.database = database
        self.last: dict[int, float] = {}
        self.pid: int | None = None  # the importing process: the peak of its and its children's RSS summed
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0  # the same with shared pages shared out (the fork shares the parent's)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> "BackendCpu":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    def _memory_kb(self) -> tuple[int, int]:
        pids = [self.pid]
        try:
            pids += [int(c) for t in Path(f"/proc/{self.pid}/task").iterdir()
                     for c in (t / "children").read_text().split()]
        except OSError:
            pass
        rss = pss = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            except OSError:
                pass
        return rss, pss

    def _poll(self) -> None:
        marker = f" {self.database} ".encode()
        while True:
            if self.pid:
                rss, pss = self._memory_kb()
                self.peak_rss_kb = max(self.peak_rss_kb, rss)
                self.peak_pss_kb = max(self.peak_pss_kb, pss)
            if not self.database:
                if self.stop.wait(0.2):
                    break
                continue
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    cmdline = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if cmdline.startswith(b"postgres: ") and marker in cmdline:
                    ms = proc.process_ms([int(entry.name)])
                    if ms:
                        self.last[int(entry.name)] = ms
            if self.stop.wait(0.2):
                break

    @property
    def seconds(self) -> float:
        return sum(self.last.values()) / 1000


def cosell(args: list[str], env: dict, database: str | None = None) -> tuple[float, float, tuple, str, float]:
    """(wall seconds, CPU seconds, peak RSS in MB, stdout, the PostgreSQL backends' CPU
    seconds) of one `cosell` command in its own process. CPU is the process's and its
    children's (the import's parsing process): `wait4` counts both. Peak memory (MB): the
    largest sum of its and its children's RSS seen (0.2 s polls; a forked child's pages
    shared with its parent count twice), and the same in PSS (shared pages divided among
    the processes sharing them), each at least the process's own peak RSS."""
    started = time.perf_counter()
    meter = BackendCpu(database)
    meter.__enter__()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen([sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env, stdout=out,
                                   stderr=err, text=True)
        meter.pid = process.pid
        _, status, usage = os.wait4(process.pid, 0)  # this process's own peak, not the largest child's so far
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        meter.__exit__()
        out.seek(0)
        err.seek(0)
        if process.returncode not in (0, 1):
            raise SystemExit(err.read())
        peak = (max(usage.ru_maxrss, meter.peak_rss_kb) // 1024, max(usage.ru_maxrss, meter.peak_pss_kb) // 1024)
        return wall, usage.ru_utime + usage.ru_stime, peak, out.read(), meter.seconds


async def _pg(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--postgres", metavar="URL", help="an admin URL: a database is created and dropped")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--once", action="store_true", help="the first run only")
    parser.add_argument("--prefix", default="cosell_import_bench_", help="of the PostgreSQL database's name")
    args = parser.parse_args()
    size = sum(p.stat().st_size for p in args.directory.glob("*.csv"))
    rows = sum(sum(1 for _ in open(p, "rb")) - 1 for p in args.directory.glob("*.csv"))
    work = Path(tempfile.mkdtemp(prefix="cosell-import-bench-"))
    name = None
    if args.postgres:
        name = f"{args.prefix}{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg(args.postgres, f'CREATE DATABASE "{name}"'))
        url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
    else:
        url = f"sqlite:///{work / 'bench.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "COSELL_VAR_DIR": str(work / "var"), "PYTHONPATH": str(ROOT),
           "COSELL_LOG_LEVEL": "WARNING", "COSELL_PLUGINS": os.environ.get("COSELL_PLUGINS", "")}
    try:
        cosell(["migrate"], env)
        results = []
        for label in ("first run",) if args.once else ("first run", "second run"):
            load_before = os.getloadavg()[0]
            wall, cpu, peak, out, pg = cosell(["import", str(args.directory), "--no-progress", "--batch",
                                               str(args.batch), "--report",
                                               str(work / f"{label.replace(' ', '-')}.csv")], env, name)
            results.append((label, wall, cpu, pg, peak, load_before, os.getloadavg()[0], out))
        engine = "PostgreSQL" if args.postgres else "SQLite"
        for label, wall, cpu, pg, peak, load_before, load_after, out in results:
            print(f"| {engine} | {label} | {size / 1e6:.0f} MB | {rows:,} | {wall:.0f} s | {cpu:.0f} s | "
                  f"{f'{pg:.0f} s' if name else '–'} | {rows / wall:,.0f} | {peak[0]} MB | {peak[1]} MB | "
                  f"{load_before:.1f} → {load_after:.1f} |")
        print(results[0][-1], file=sys.stderr)
    finally:
        if name:
            asyncio.run(_pg(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
