"""`cosell migrate`, `cosell demo load`, `cosell schema export`: the database's tables, the demo
world, the schema's SDL."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from server.cli import common


def cmd_migrate(args) -> int:
    from partners.infra.engines import describe, engine_for
    from partners.infra.migrate import apply_migrations, known_migration_ids

    from server.logs import configure_logging

    settings = common.load_settings()
    # To stderr: what migrations log for the records (the rounding of amounts, issue 40).
    configure_logging(settings.log_level, settings.log_json)
    common.bind(settings, check=False)  # the one command that creates (and migrates) the database
    where = describe(engine_for(settings.database_url))
    applied = common.run(apply_migrations())
    total = len(known_migration_ids())
    if applied:
        before = total - len(applied)
        print(f"Applied {len(applied)} migration(s) to {where} ({before} were already applied; "
              f"now {total} of {total}, latest {applied[-1]}).")
    else:
        print(f"{where} is up to date: all {total} migrations are applied.")
    return 0


def cmd_demo_load(args) -> int:
    from partners.demo import is_empty, load_demo

    settings = common.load_settings()
    common.bind(settings)

    async def run() -> int:
        if not await is_empty():
            if args.if_empty:
                print("Database already has data; demo not loaded.")
                return 0
            print("cosell: the database is not empty; demo data goes into an empty database.", file=sys.stderr)
            return 2
        logins = await load_demo()
        lines = [f"{l.role.value:<18} {l.email:<44} {l.token}  {l.detail}" for l in logins]
        text = "Demo users and their API tokens (Authorization: Bearer <token>):\n" + "\n".join(lines) + "\n"
        tokens_file = common.demo_tokens_file(settings)
        tokens_file.parent.mkdir(parents=True, exist_ok=True)
        tokens_file.write_text(text, encoding="utf-8")
        os.chmod(tokens_file, 0o600)
        if args.quiet:
            print(f"Demo world loaded; its users' tokens are in {tokens_file}.")
        else:
            print(text)
            print(f"(also written to {tokens_file})")
        return 0

    return common.run(run())


def cmd_schema_export(args) -> int:
    from schema import export_sdl

    sdl = export_sdl()
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
    return 0
