"""`cosell serve --workers N` and graceful shutdown (issue 12): on SIGTERM the server stops
accepting, lets the requests in flight finish (up to COSELL_SHUTDOWN_TIMEOUT), stops the
background jobs and exits cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from partners.infra import idempotency
from server import workers
from server.http_guard import _mutation_request
from tests.schema.sales import CREATE_ACCOUNT
from tests.server.processes import cosell_serve

WAIT = 3  # seconds the in-flight request takes (it waits for a running twin)


async def test_sigterm_lets_the_request_in_flight_finish(world, cosell_database_url, tmp_path):
    # A request that takes WAIT seconds: the same Idempotency-Key is held IN_PROGRESS, so
    # the server waits for the twin before answering 409.
    body = json.dumps({"query": CREATE_ACCOUNT, "variables": {"input": {"name": "Slow Co"}}}).encode()
    await idempotency.claim(f"user:{world.user_ids['sales_ops']}", "slow", idempotency.request_hash(_mutation_request(body)),
                            ttl_seconds=600, lease_seconds=600)
    headers = {"Authorization": f"Bearer {world.tokens['sales_ops']}", "Idempotency-Key": "slow",
               "Content-Type": "application/json"}
    with cosell_serve(cosell_database_url, tmp_path, workers=2, COSELL_IDEMPOTENCY_WAIT_SECONDS=str(WAIT),
                      COSELL_SHUTDOWN_TIMEOUT="20", COSELL_BACKGROUND_INTERVAL="0.2",
                      COSELL_VAR_DIR=str(tmp_path)) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            for _ in range(4):  # both workers answer
                assert (await client.get("/readyz")).json() == {"status": "ready"}
            in_flight = asyncio.create_task(client.post("/graphql", content=body, headers=headers))
            await asyncio.sleep(1)
            server.process.send_signal(signal.SIGTERM)
            response = await in_flight
        assert response.status_code == 409  # answered in full, after the signal
        assert response.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_IN_PROGRESS"
        assert await asyncio.to_thread(server.process.wait, 20) == 0
    output = server.output()
    assert "Traceback" not in output, output


def _tcp_table() -> list[tuple[int, int, str, int]]:
    """(local port, remote port, state, socket inode) of every IPv4 TCP socket (Linux)."""
    rows = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        rows.append((int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16), fields[3], int(fields[9])))
    return rows


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


@pytest.mark.skipif(not workers.SPREADS_CONNECTIONS, reason="SO_REUSEPORT spreads connections on Linux only")
async def test_a_burst_of_new_connections_spreads_across_the_workers(world, cosell_database_url, tmp_path):
    """Each worker listens on a socket of its own (SO_REUSEPORT): 32 keep-alive connections
    opened at once are served by both workers, not all by the one that woke first."""
    with cosell_serve(cosell_database_url, tmp_path, workers=2) as server:
        port = int(server.url.rsplit(":", 1)[1])
        deadline = time.monotonic() + 30
        while sum(1 for local, _, state, _ in _tcp_table() if local == port and state == "0A") < 2:
            assert time.monotonic() < deadline, "the workers did not both listen"
            await asyncio.sleep(0.1)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
        try:
            for client in clients:
                client.sendall(b"GET /healthz HTTP/1.1\r\nHost: cosell\r\n\r\n")
            for client in clients:
                assert client.recv(4096).startswith(b"HTTP/1.1 200")
            ours = {client.getsockname()[1] for client in clients}
            served = {inode for local, remote, _, inode in _tcp_table() if local == port and remote in ours}
            listening = {inode for local, _, state, inode in _tcp_table() if local == port and state == "0A"}
            children = [int(p) for p in Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
                        .read_text().split()]
            sockets_of = {pid: _socket_inodes(pid) for pid in children}
            workers_ = [pid for pid in children if sockets_of[pid] & listening]
            per_worker = sorted(len(sockets_of[pid] & served) for pid in workers_)
        finally:
            for client in clients:
                client.close()
    assert len(per_worker) == 2 and sum(per_worker) == 32, per_worker
    assert per_worker[0] >= 6, f"connections per worker: {per_worker}"
