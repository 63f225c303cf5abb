"""`/dashboard`: the channel dashboard, a static page served by cosell like
GraphiQL. Its Chart.js build comes from the npm registry at install time (server/static,
`npm ci`), never from a CDN or a vendored copy. The page asks /graphql for `channelMetrics`
with the token the user signs in with; the API does the scoping."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from server.graphiql import NODE_MODULES, STATIC_DIR

# Public asset name -> file. Only these files are served; the npm ones are those
# server/static/assets.json lists (and the wheel carries, setup.py).
NPM_ASSETS: dict[str, str] = json.loads((STATIC_DIR / "assets.json").read_text(encoding="utf-8"))["dashboard"]
ASSETS = {
    **{name: NODE_MODULES / path for name, path in NPM_ASSETS.items()},
    "dashboard.js": STATIC_DIR / "dashboard.js",
    "dashboard.css": STATIC_DIR / "dashboard.css",
}


async def dashboard_page(request: Request) -> Response:
    return HTMLResponse((STATIC_DIR / "dashboard.html").read_text(encoding="utf-8"),
                        headers={"Cache-Control": "no-cache"})


async def dashboard_asset(request: Request) -> Response:
    path = ASSETS.get(request.path_params["asset"])
    if path is None:
        return PlainTextResponse("Not found.", status_code=404)
    if not path.is_file():
        return PlainTextResponse("Dashboard assets are not installed: run `make run` (it runs `npm ci` in "
                                 "server/static).", status_code=503)
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})
