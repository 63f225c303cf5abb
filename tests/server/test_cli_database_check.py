"""Issue 41: every `cosell` command that works on the database checks it like `serve`: a
missing SQLite file is never created (only `cosell migrate` creates it), an unmigrated
database says to run `cosell migrate`; one line, exit status 2, no traceback."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from partners.infra.engines import is_postgres_url

# Every command that opens the database but `migrate` (and `serve`, checked by its preflight).
COMMANDS = [
    ["outbox", "status"],
    ["outbox", "send", "--once"],
    ["outbox", "retry", "--dead"],
    ["registrations", "expire"],
    ["users", "add", "--email", "a@example.com", "--name", "A", "--role", "ADMIN"],
    ["tokens", "issue", "--email", "a@example.com"],
    ["tokens", "revoke", "cst_nothing"],
    ["demo", "load"],
    ["documents", "list"],
    ["rates", "list"],
    ["mail", "ingest", "-"],
]


def _cosell(args: list[str], database_url: str | None, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    env["COSELL_PLUGINS"] = ""
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, cwd=cwd, input="",
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_command_on_a_missing_sqlite_database_says_run_migrate_and_creates_nothing(command, tmp_path):
    database = tmp_path / "var" / "cosell.sqlite3"
    done = _cosell(command, f"sqlite:///{database}", tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"cosell: there is no database at {database} (named by DATABASE_URL). Run `cosell migrate` to create it, "
        "or point DATABASE_URL at your database."]
    assert not database.exists() and not database.parent.exists()


def test_the_default_database_is_named_as_the_default(tmp_path):
    from partners.infra.engines import sqlite_path
    from partners.infra.settings import DEFAULT_DATABASE_URL

    default = sqlite_path(DEFAULT_DATABASE_URL)
    if default.exists():  # pragma: no cover - a developer's var/cosell.sqlite3 is in the checkout
        pytest.skip("the checkout has a default database")
    done = _cosell(["outbox", "status"], None, tmp_path)
    assert done.returncode == 2
    assert "(DATABASE_URL is unset: the default database). Run `cosell migrate`" in done.stderr
    assert "Traceback" not in done.stderr and not default.exists()


def test_an_unmigrated_sqlite_database_says_run_migrate_then_migrate_creates_it(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    done = _cosell(["outbox", "status"], f"sqlite:///{empty}", tmp_path)
    assert done.returncode == 2
    assert "migration(s) not applied to" in done.stderr and "run `cosell migrate`" in done.stderr
    fresh = tmp_path / "fresh" / "cosell.sqlite3"
    assert _cosell(["migrate"], f"sqlite:///{fresh}", tmp_path).returncode == 0  # the one that creates it
    done = _cosell(["outbox", "status"], f"sqlite:///{fresh}", tmp_path)
    assert done.returncode == 0, done.stderr


def test_an_unmigrated_postgresql_database_says_run_migrate(tmp_path):
    base = os.environ.get("DATABASE_URL", "")
    if not is_postgres_url(base):
        pytest.skip("PostgreSQL only (DATABASE_URL=postgresql://…)")
    from server.testing import _pg_admin, _with_database

    name = f"cosell_unmigrated_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_admin(base, f'CREATE DATABASE "{name}"'))
    try:
        done = _cosell(["outbox", "status"], _with_database(base, name), tmp_path)
        assert done.returncode == 2
        assert "migration(s) not applied to" in done.stderr and "run `cosell migrate`" in done.stderr
        missing = _cosell(["outbox", "status"], _with_database(base, f"{name}_missing"), tmp_path)
        assert missing.returncode == 2 and "does not exist" in missing.stderr
    finally:
        asyncio.run(_pg_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
