"""Real processes for scale-out tests: `cosell serve` instances and a pgbouncer in front of
PostgreSQL. Each is started on a free port and stopped (SIGTERM, then waited for) at exit."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit


from server.settings import PROJECT_ROOT
from server.testing import free_port, wait_until_ready

PGBOUNCER = "/usr/sbin/pgbouncer"




def _wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert process.poll() is None, f"{what} exited during startup"
        assert time.monotonic() < deadline, f"{what} did not listen on port {port}"
        time.sleep(0.05)


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _stop(process: subprocess.Popen, timeout: float = 30.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def cosell_serve(database_url: str, log_dir: Path, *, name: str = "cosell", workers: int = 1,
                 **env: str) -> Iterator[Server]:
    """`cosell serve` on a free port against `database_url`, ready (`/readyz` answers 200)."""
    port = free_port()
    log = log_dir / f"{name}.log"
    environment = {**os.environ, "DATABASE_URL": database_url, "COSELL_LOG_JSON": "0",
                   "COSELL_LOG_LEVEL": "WARNING", **env}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--workers", str(workers)],
            cwd=PROJECT_ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_ready(server.url, process, output=lambda: f"{name}:\n{server.output()}")
        yield server
    finally:
        _stop(process)


def _as_unprivileged(command: list[str]) -> list[str]:
    """pgbouncer refuses to run as root: run it as the `postgres` system user then."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def pgbouncer(database_url: str, *, pool_mode: str = "transaction", pool_size: int = 4) -> Iterator[str]:
    """Debian's pgbouncer in front of the PostgreSQL server of `database_url`; yields the same
    URL pointing at pgbouncer. Trust authentication (the test server trusts 127.0.0.1)."""
    binary = shutil.which("pgbouncer") or PGBOUNCER
    assert Path(binary).exists(), "pgbouncer is not installed: apt-get install -y pgbouncer (see .ci/run)"
    parts = urlsplit(database_url)
    user = parts.username or "postgres"
    port = free_port()
    # A world-readable directory: the unprivileged pgbouncer reads its ini and writes its log.
    workdir = Path(tempfile.mkdtemp(prefix="cosell-pgbouncer-"))
    workdir.chmod(0o777)
    (workdir / "users.txt").write_text(f'"{user}" ""\n')
    (workdir / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={parts.hostname or '127.0.0.1'} port={parts.port or 5432}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {workdir / 'users.txt'}\n"
        f"pool_mode = {pool_mode}\n"
        f"default_pool_size = {pool_size}\n"
        "max_client_conn = 500\n"
        f"logfile = {workdir / 'pgbouncer.log'}\n"
    )
    for path in workdir.iterdir():
        path.chmod(0o666)
    process = subprocess.Popen(_as_unprivileged([binary, str(workdir / "pgbouncer.ini")]),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, process, "pgbouncer")
        yield urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{port}"))
    finally:
        _stop(process)
        shutil.rmtree(workdir, ignore_errors=True)
