"""The GraphQL-over-HTTP audit suite (npm `graphql-http`, `auditServer`) against a real
uvicorn server: every MUST audit passes. SHOULD results are recorded in docs/security.md."""

import json
import subprocess
from pathlib import Path

AUDIT_DIR = Path(__file__).resolve().parents[1] / "http_audit"


def test_every_must_audit_of_graphql_over_http_passes(cosell_live_server):
    assert (AUDIT_DIR / "node_modules" / "graphql-http").is_dir(), "run `make test` (it installs the audit suite)"
    out = subprocess.run(
        ["node", str(AUDIT_DIR / "audit.mjs"), f"{cosell_live_server}/graphql"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(results) > 20, out
    failed_musts = [r for r in results if r["name"].startswith("MUST") and r["status"] != "ok"]
    assert not failed_musts, json.dumps(failed_musts, indent=2)
