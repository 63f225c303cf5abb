"""The GraphQL-over-HTTP audit suite (npm `graphql-http`, `auditServer`) against a real
uvicorn server: every MUST audit passes. SHOULD results are recorded in docs/security.md."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

AUDIT_DIR = Path(__file__).resolve().parents[1] / "http_audit"
ROOT = AUDIT_DIR.parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(cosell_database_url):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": cosell_database_url, "COSELL_BACKGROUND_JOBS": "0", "COSELL_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "the server exited during startup"
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_every_must_audit_of_graphql_over_http_passes(live_server):
    assert (AUDIT_DIR / "node_modules" / "graphql-http").is_dir(), "run `make test` (it installs the audit suite)"
    out = subprocess.run(
        ["node", str(AUDIT_DIR / "audit.mjs"), f"{live_server}/graphql"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(results) > 20, out
    failed_musts = [r for r in results if r["name"].startswith("MUST") and r["status"] != "ok"]
    assert not failed_musts, json.dumps(failed_musts, indent=2)
