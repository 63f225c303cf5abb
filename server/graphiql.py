"""Self-hosted GraphiQL: the page is ours, the builds come from npm (no CDN), so GraphiQL works
with no internet access. In a checkout `make` runs `npm ci` in server/static; the wheel carries
the same files, copied in at build time (setup.py). Either way they sit under the package's
own static/ directory, which is where they are served from."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

STATIC_DIR = Path(__file__).resolve().parent / "static"
NODE_MODULES = STATIC_DIR / "node_modules"
# The npm files served, by public name: one list for this module and the wheel build (setup.py).
NPM_ASSETS: dict[str, str] = json.loads((STATIC_DIR / "assets.json").read_text(encoding="utf-8"))["served"]

# Public asset name -> file. Only these files are served; nothing else of node_modules.
ASSETS: dict[str, Path] = {
    **{name: NODE_MODULES / path for name, path in NPM_ASSETS.items()},
    "cosell-graphiql.js": STATIC_DIR / "cosell-graphiql.js",
}
FAVICON = STATIC_DIR / "favicon.svg"
CACHE = {"Cache-Control": "public, max-age=86400"}


def render_graphiql() -> HTMLResponse:
    return HTMLResponse((STATIC_DIR / "graphiql.html").read_text(encoding="utf-8"))


async def graphiql_asset(request: Request) -> Response:
    path = ASSETS.get(request.path_params["asset"])
    if path is None:
        return PlainTextResponse("Not found.", status_code=404)
    if not path.is_file():
        return PlainTextResponse(
            "GraphiQL assets are not installed: in a checkout run `make run` (it runs `npm ci` in "
            "server/static); an installed cosell was built without them (build the wheel with npm available).",
            status_code=503,
        )
    return FileResponse(path, headers=CACHE)


async def favicon(request: Request) -> Response:
    """/favicon.ico, which browsers ask for whatever the page links: an SVG (every current
    browser draws one), so GraphiQL's page logs no 404."""
    return FileResponse(FAVICON, media_type="image/svg+xml", headers=CACHE)
