"""GraphiQL as a workbench (issue 36): the example operations of schema/workbench/ open as
GraphiQL's tabs. Each file is one named operation, registered like any front-end's
documents (`cosell documents add schema/workbench/`); a `# Variables: {...}` comment line
gives the tab's variables. The page asks `/graphiql/workbench.json` for them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse

WORKBENCH_DIR = Path(__file__).resolve().parents[1] / "schema" / "workbench"
# The tabs' order: a channel manager's day, then a partner's.
ORDER = ("review_queue", "account_executives", "approve_with_ae", "partner_scorecard", "partners_near_city",
         "share_lead", "lead_queue", "case_queue")
_VARIABLES = "# variables:"


def tabs() -> list[dict]:
    """Every workbench file as a tab: its operation's text, variables and document id
    (the SHA-256 of the file, as `cosell documents add` registers it)."""
    paths = sorted(WORKBENCH_DIR.glob("*.graphql"),
                   key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else len(ORDER), p.stem))
    result = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        variables = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                          if line.lower().startswith(_VARIABLES)), "")
        result.append({
            "name": path.stem, "query": text,
            "variables": json.dumps(json.loads(variables), indent=2) if variables else "",
            "documentId": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        })
    return result


async def workbench_tabs(request: Request) -> JSONResponse:
    return JSONResponse({"tabs": tabs()}, headers={"Cache-Control": "no-cache"})
