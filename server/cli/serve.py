"""`cosell serve`: check the database and the plugins, then run the workers."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from server.cli import common
from server.port_check import port_problem
from server.settings import Settings


def _preflight(settings: Settings) -> str | None:
    """The reason the server cannot start, or None."""
    from plugins.manager import PluginError, plugin_manager_for

    try:  # an invalid plugin (unknown hook, import error, invalid settings) names itself
        plugin_manager_for(settings)
    except PluginError as exc:
        return str(exc)
    # Missing (no stray SQLite file is created), unreachable, or migrations pending.
    return common.database_problem(settings)


def _show_demo_tokens_when_up(host: str, port: int, tokens_file: Path, timeout: float = 120.0) -> None:
    """`make run`: print the demo tokens after the server's start-up lines, once /healthz
    answers, so they do not scroll away under them."""
    import threading
    import time
    import urllib.request

    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/healthz"

    def wait_then_print() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own server
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            return
        time.sleep(0.2)  # after uvicorn's "running on" line
        if tokens_file.is_file():
            text = tokens_file.read_text(encoding="utf-8").rstrip()
            print(f"\n{text}\n(kept in {tokens_file})\nGraphiQL: http://{host}:{port}/graphql\n",
                  file=sys.stderr, flush=True)
        else:
            print(f"\n(no demo tokens: {tokens_file} does not exist; `cosell users add` creates users)\n",
                  file=sys.stderr, flush=True)

    threading.Thread(target=wait_then_print, name="demo-tokens", daemon=True).start()


def _metrics_directory(settings: Settings) -> Path | None:
    """With metrics on and several workers: a fresh, empty PROMETHEUS_MULTIPROC_DIR under the
    var dir (`metrics/<pid of cosell serve>`) for every worker to write its metrics into,
    set before any worker starts (docs/operations.md, "Metrics"). None when the variable is
    already set (the operator's own directory, used as it is)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    root = Path(settings.var_dir) / "metrics"
    for stale in root.glob("*"):  # left by a `cosell serve` that did not exit cleanly
        if stale.name.isdigit() and not _running(int(stale.name)):
            shutil.rmtree(stale, ignore_errors=True)
    directory = root / str(os.getpid())
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    return directory


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cmd_serve(args) -> int:
    from server import workers
    from server.http_protocol import NoDelayH11Protocol

    settings = common.load_settings()
    taken = port_problem(args.host, args.port)
    if taken:
        print(f"cosell: {taken}", file=sys.stderr)
        return 1
    common.bind(settings, check=False)  # `_preflight` checks the database
    problem = _preflight(settings)
    if problem:
        print(f"cosell: cannot start: {problem}", file=sys.stderr)
        return 2
    if args.workers < 1:
        print("cosell: --workers must be 1 or more", file=sys.stderr)
        return 2
    if settings.metrics_port is not None and settings.metrics_port == args.port:
        print(f"cosell: COSELL_METRICS={settings.metrics_port} is the API's port: use `on` to serve /metrics "
              "there, or another port", file=sys.stderr)
        return 2
    # Every worker reports every worker's metrics: prometheus_client's multiprocess mode.
    metrics_directory = _metrics_directory(settings) if settings.metrics and args.workers > 1 else None
    print(f"cosell: serving GraphQL on http://{args.host}:{args.port}/graphql with {args.workers} worker(s)",
          file=sys.stderr)
    if args.show_demo_tokens:
        _show_demo_tokens_when_up(args.host, args.port, common.demo_tokens_file(settings))
    # Each worker is a process with its own pool (COSELL_DB_POOL_MAX) and its own background
    # jobs; see docs/operations.md for sizing. On SIGTERM uvicorn stops accepting, lets
    # in-flight requests finish for up to COSELL_SHUTDOWN_TIMEOUT seconds, then runs the
    # lifespan shutdown (background jobs stop and release their leases, the pool closes).
    # Each worker listens on a socket of its own, so new connections spread (server/workers.py).
    try:
        workers.run(
            "server.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            timeout_graceful_shutdown=settings.shutdown_timeout,
            proxy_headers=args.proxy_headers,
            forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            http=NoDelayH11Protocol,  # no Nagle delay with several workers (server/http_protocol.py)
            access_log=False,  # cosell writes its own structured access log
            log_level=settings.log_level.lower(),
        )
    finally:
        if metrics_directory is not None:
            shutil.rmtree(metrics_directory, ignore_errors=True)
    return 0
