"""`cosell serve --workers N` and graceful shutdown (issue 12): on SIGTERM the server stops
accepting, lets the requests in flight finish (up to COSELL_SHUTDOWN_TIMEOUT), stops the
background jobs and exits cleanly."""

from __future__ import annotations

import asyncio
import json
import signal

import httpx

from partners import idempotency
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
