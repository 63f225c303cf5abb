"""Self-hosted GraphiQL: the page is ours, the builds come from npm at install time
(`make` runs `npm ci` in server/static), so GraphiQL works with no internet access."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

STATIC_DIR = Path(__file__).resolve().parent / "static"
NODE_MODULES = STATIC_DIR / "node_modules"

# Public asset name -> file. Only these files are served; nothing else of node_modules.
ASSETS: dict[str, Path] = {
    "react.js": NODE_MODULES / "react/umd/react.production.min.js",
    "react-dom.js": NODE_MODULES / "react-dom/umd/react-dom.production.min.js",
    "graphiql.js": NODE_MODULES / "graphiql/graphiql.min.js",
    "graphiql.css": NODE_MODULES / "graphiql/graphiql.min.css",
    # Issue 36: the Explorer plugin (its UMD build reads React and GraphiQL's globals).
    "explorer.js": NODE_MODULES / "@graphiql/plugin-explorer/dist/index.umd.js",
    "explorer.css": NODE_MODULES / "@graphiql/plugin-explorer/dist/style.css",
    "cosell-graphiql.js": STATIC_DIR / "cosell-graphiql.js",
}


def render_graphiql() -> HTMLResponse:
    return HTMLResponse((STATIC_DIR / "graphiql.html").read_text(encoding="utf-8"))


async def graphiql_asset(request: Request) -> Response:
    path = ASSETS.get(request.path_params["asset"])
    if path is None:
        return PlainTextResponse("Not found.", status_code=404)
    if not path.is_file():
        return PlainTextResponse(
            "GraphiQL assets are not installed: run `make run` (it runs `npm ci` in server/static).",
            status_code=503,
        )
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})
