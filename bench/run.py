"""One command: `python -m bench.run [--database-url URL]`.

Migrates the benchmark database, makes sure it holds a world to query, starts the server
with 2 uvicorn workers and prints, per operation, latency percentiles at 1 client,
throughput at 32 clients, SQL statements per request and peak RSS per worker.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from bench.harness import Operation, measure, print_table, running_server

BENCH_DB = Path(__file__).resolve().parent / "var" / "bench.sqlite3"


async def prepare(database_url: str) -> dict[str, str]:
    """Migrate, load a world if empty, and return a token per role."""
    os.environ["DATABASE_URL"] = database_url
    from partners.db import bind_engine, engine_for
    from partners.demo import is_empty, load_demo
    from partners.migrate import apply_migrations

    bind_engine(engine_for(database_url))

    from partners.identity import issue_token
    from partners.tables import User

    await apply_migrations()
    if await is_empty():
        await load_demo()
    tokens = {}
    for role in ("ADMIN", "CHANNEL_MANAGER", "ACCOUNT_EXECUTIVE", "PARTNER_USER"):
        user = await User.select(User.id).where(User.role == role).order_by(User.id).first()
        _, tokens[role] = await issue_token(user["id"], name="bench")
    return tokens


def operations(tokens: dict[str, str]) -> list[Operation]:
    return [
        Operation("viewer (partner portal)", "{ viewer { id name role partner { id name track } } }",
                  tokens["PARTNER_USER"]),
    ]


async def main_async(args) -> None:
    tokens = await prepare(args.database_url)
    with running_server(args.database_url, port=args.port, workers=args.workers) as server:
        rows = []
        for op in operations(tokens):
            rows.append(measure(server, op, clients=args.clients, seconds=args.seconds))
        print_table(rows, server.peak_rss_mb())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{BENCH_DB}"))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each wrk run")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
