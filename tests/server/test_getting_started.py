"""What a new user sees running the README's commands (issue 20): a clear `cosell migrate`
message, a friendly one when the PostgreSQL database does not exist, the demo tokens
printed last once `cosell serve --show-demo-tokens` (`make run`) answers, and `make test`
leaving the database named by DATABASE_URL alone."""

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid

import pytest

from partners.infra.engines import is_postgres_url
from server.settings import PROJECT_ROOT
from server.testing import _pg_admin, _with_database, free_port


def _cli(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": database_url, "COSELL_LOG_JSON": "0", **env}
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=PROJECT_ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def empty_database_url(cosell_database_url, tmp_path):
    """An empty database on the session's engine."""
    if not is_postgres_url(cosell_database_url):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"cosell_empty_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_admin(cosell_database_url, f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(cosell_database_url, name)
    finally:
        asyncio.run(_pg_admin(cosell_database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_migrate_says_what_it_applied_then_that_the_database_is_up_to_date(empty_database_url):
    first = _cli("migrate", database_url=empty_database_url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Applied ") and "(0 were already applied;" in first.stdout
    assert "already complete" not in first.stdout and "not yet run" not in first.stdout
    again = _cli("migrate", database_url=empty_database_url)
    assert again.returncode == 0 and "is up to date: all" in again.stdout


@pytest.mark.skipif(not is_postgres_url(os.environ.get("DATABASE_URL", "")),
                    reason="SQLite creates its database file; only a PostgreSQL database can be missing")
def test_a_missing_postgres_database_is_a_short_friendly_message(cosell_database_url):
    missing = _with_database(cosell_database_url, f"cosell_missing_{uuid.uuid4().hex[:8]}")
    name = missing.rsplit("/", 1)[1]
    for command in (["migrate"], ["serve", "--port", str(free_port())], ["demo", "load"]):
        result = _cli(*command, database_url=missing)
        assert result.returncode == 2, command
        assert f"the database {name!r} does not exist" in result.stderr
        assert "createdb -h 127.0.0.1" in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.splitlines()) <= 5, result.stderr


def test_make_run_prints_the_demo_tokens_last_with_their_file(empty_database_url, tmp_path):
    """`make run`: migrate, demo load --if-empty --quiet, serve --show-demo-tokens."""
    env = {"COSELL_VAR_DIR": str(tmp_path), "COSELL_BACKGROUND_JOBS": "0", "COSELL_LOG_LEVEL": "INFO"}
    assert _cli("migrate", database_url=empty_database_url).returncode == 0
    loaded = _cli("demo", "load", "--if-empty", "--quiet", database_url=empty_database_url, **env)
    assert loaded.returncode == 0, loaded.stderr
    tokens_file = tmp_path / "demo-tokens.txt"
    assert str(tokens_file) in loaded.stdout and "cst_" not in loaded.stdout
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--show-demo-tokens", "--port", str(port)],
            cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": empty_database_url, "COSELL_LOG_JSON": "0", **env},
            stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while f"(kept in {tokens_file})" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=30)
    output = log.read_text()
    tokens_at = output.index("Demo users and their API tokens")
    assert output.index("cosell ready") < tokens_at and output.index("Uvicorn running") < tokens_at
    after = output[tokens_at:].split(f"(kept in {tokens_file})")[0]
    assert after.count("cst_") == loaded_users(tokens_file)
    assert "INFO" not in after, "no log line inside the token list"


def loaded_users(tokens_file) -> int:
    return tokens_file.read_text().count("cst_")


def test_make_test_does_not_migrate_the_database_of_database_url():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    test_target = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "migrate" not in test_target


def test_make_run_with_the_port_taken_stops_before_installing_with_one_line():
    """Issue 35: a fresh clone's `make run` with the port taken fails at once (the check runs with
    the system Python before the install) with one line naming COSELL_PORT and --port."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(["make", "--no-print-directory", "run"], cwd=PROJECT_ROOT,
                                env={**os.environ, "COSELL_PORT": str(port), "COSELL_HOST": "127.0.0.1"},
                                capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert result.stdout == "", "nothing is installed, migrated or served first"
    ours = [line for line in result.stderr.splitlines() if line.startswith("cosell:")]
    assert len(ours) == 1 and f"cannot listen on 127.0.0.1:{port}" in ours[0]
    assert f"COSELL_PORT={port + 1} make run" in ours[0] and "--port" in ours[0]
