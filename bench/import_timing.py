"""Time `cosell import` of the benchmark input (bench/import_generate.py) into a fresh
database, and its peak memory (issue 35).

    python -m bench.import_generate /tmp/import-bench
    python -m bench.import_timing /tmp/import-bench                     # SQLite, a new file
    python -m bench.import_timing /tmp/import-bench --postgres postgresql://postgres@127.0.0.1:5432/postgres

Prints one Markdown table row: engine, input size, rows, wall and CPU seconds of the import
(the importing process's own CPU; the database server's is not in it), rows/s,
peak RSS of the import process, the load average before and after (the machine is shared:
record it with the figures), and the same for a second run of the same files (nothing changes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cosell(args: list[str], env: dict) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, stdout) of one `cosell` command in its own process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen([sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env, stdout=out,
                                   stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)  # this process's own peak, not the largest child's so far
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if process.returncode not in (0, 1):
            raise SystemExit(err.read())
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, out.read()


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
    args = parser.parse_args()
    size = sum(p.stat().st_size for p in args.directory.glob("*.csv"))
    rows = sum(sum(1 for _ in open(p, "rb")) - 1 for p in args.directory.glob("*.csv"))
    work = Path(tempfile.mkdtemp(prefix="cosell-import-bench-"))
    name = None
    if args.postgres:
        name = f"cosell_import_bench_{uuid.uuid4().hex[:8]}"
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
            wall, cpu, peak, out = cosell(["import", str(args.directory), "--no-progress", "--batch", str(args.batch),
                                      "--report", str(work / f"{label.replace(' ', '-')}.csv")], env)
            results.append((label, wall, cpu, peak, load_before, os.getloadavg()[0], out))
        engine = "PostgreSQL" if args.postgres else "SQLite"
        for label, wall, cpu, peak, load_before, load_after, out in results:
            print(f"| {engine} | {label} | {size / 1e6:.0f} MB | {rows:,} | {wall:.0f} s | {cpu:.0f} s | "
                  f"{rows / wall:,.0f} | {peak} MB | {load_before:.1f} → {load_after:.1f} |")
        print(results[0][-1], file=sys.stderr)
    finally:
        if name:
            asyncio.run(_pg(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
