"""The benchmark's server: `cosell serve`'s uvicorn settings, with the floor routes.

    python -m bench.serve --port 8765 --workers 2

Same as `cosell serve` (server/cli/serve.py) but for the app of bench/floor.py, which is the
production app plus `/floor/*`.
"""

from __future__ import annotations

import argparse

from server import workers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--plain-h11", action="store_true", help="uvicorn's own protocol (to show the Nagle delay)")
    args = parser.parse_args()
    if not args.plain_h11:
        from server.http_protocol import NoDelayH11Protocol
    workers.run("bench.floor:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                http="h11" if args.plain_h11 else NoDelayH11Protocol, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
