"""`/metrics` (issue 42): what the HTTP layer records per GraphQL request, and how the
metrics of `partners/infra/metrics.py` are served.

COSELL_METRICS=on serves `/metrics` on the API's port, ahead of every other middleware (no
request id, access log, CORS, HTTP guard, authentication or cost budget); COSELL_METRICS=<port>
serves it on that port of COSELL_METRICS_HOST instead, by a small threaded HTTP server in
each worker process (`MetricsServer`, bound with SO_REUSEPORT so every worker of `cosell
serve --workers N` can bind it: whichever answers reports every worker). With
PROMETHEUS_MULTIPROC_DIR set (`cosell serve --workers N` sets it) a scrape reads every
worker's files through prometheus_client's MultiProcessCollector; otherwise it reads this
process's default registry.

Per request the endpoint resolves its labels once, at the end, and records three
observations through children cached by label values (`record_request`); the operation
label is the registered document's id, else the operation's name (at most
MAX_OPERATION_NAMES distinct names per process, later ones count as "other"), else
"anonymous"."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import struct
import threading
import time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from partners.infra import metrics, outbox
from partners.infra.audit import USER_ERROR
from partners.infra.engines import is_connection_lost
from partners.registrations import reminders
from schema.core.errors import code_of, is_request_error, is_unexpected
from schema.documents.prepared import STATE_KEY as PREPARED_KEY

log = logging.getLogger("cosell.metrics")
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
PATH = "/metrics"

# ---- recording -------------------------------------------------------------------------

MAX_OPERATION_NAMES = 200  # distinct operation names per process; later ones are "other"
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
_names: set[str] = set()
ERROR_CODES = frozenset({"INTERNAL_SERVER_ERROR", "DATABASE_UNAVAILABLE", "DATABASE_BUSY"})
REFUSAL_CODES = frozenset({"THROTTLED", "QUERY_TOO_COSTLY"})
HTTP_CODES = {401: "UNAUTHENTICATED", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 409: "IDEMPOTENCY_KEY_IN_PROGRESS",
              413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 422: "IDEMPOTENCY_KEY_REUSED",
              429: "THROTTLED", 499: "CLIENT_DISCONNECTED", 500: "INTERNAL_SERVER_ERROR",
              503: "DATABASE_UNAVAILABLE"}
STATE_KEY = "metrics_labels"  # request.state: (operation, outcome, code, executor), set by the GraphQL view


def operation_label(document_id: str | None, name: str | None) -> str:
    """The registered document's id, else the operation name (capped), else "anonymous"."""
    if document_id:
        return document_id  # registered by operators: a bounded set
    if not name:
        return "anonymous"
    if name in _names:
        return name
    if len(_names) >= MAX_OPERATION_NAMES or not _NAME.fullmatch(name):
        return "other"
    _names.add(name)
    return name


def graphql_outcome(result, mutation_outcomes: dict) -> tuple[str, str]:
    """(outcome, code) of an executed (or refused) GraphQL result: `error` for an internal
    failure, `refused` when the document never ran (parse, validation, variables, cost,
    budget), `user_error` for any other top-level error or a mutation payload's UserError,
    else `ok`."""
    errors = result.errors
    if errors:
        first = errors[0]
        if is_unexpected(first):
            code = "DATABASE_UNAVAILABLE" if is_connection_lost(first.original_error) else "INTERNAL_SERVER_ERROR"
        else:
            code = code_of(first)
        if code in ERROR_CODES:
            return "error", code
        if code in REFUSAL_CODES or is_request_error(result):
            return "refused", code
        return "user_error", code
    for outcome in mutation_outcomes.values():
        if outcome.result == USER_ERROR:
            return "user_error", outcome.codes[0] if outcome.codes else ""
    return "ok", ""


def http_outcome(status: int) -> tuple[str, str]:
    """(outcome, code) of a request answered before GraphQL ran (HTTP guard, bad token)."""
    if status >= 500:
        return "error", HTTP_CODES.get(status, "INTERNAL_SERVER_ERROR")
    if status >= 400:
        return "refused", HTTP_CODES.get(status, "BAD_REQUEST")
    return "ok", ""


def label_result(state, context, requested_name: str | None, result) -> None:
    """Put the labels of an executed (or refused) GraphQL request on `request.state`."""
    prepared = getattr(state, PREPARED_KEY, None)
    node = context.operation
    name = node.name.value if node is not None and node.name is not None else requested_name
    setattr(state, STATE_KEY, (operation_label(prepared.document_id if prepared is not None and prepared.trusted
                                               else None, name),
                               *graphql_outcome(result, context.mutation_outcomes), context.executor))


def label_refusal(state, requested_name: str | None, code: str) -> None:
    """The labels of a request whose persisted query was refused (server/documents.py)."""
    setattr(state, STATE_KEY, (operation_label(None, requested_name), "refused", code, "none"))


_children: dict[tuple, tuple] = {}
_NOT_EXECUTED = ("anonymous", None, None, "none")


def record_request(state: dict, status: int, seconds: float) -> None:
    """One GraphQL request: its count, duration and SQL statements, by its labels."""
    labels = state.get(STATE_KEY) or _NOT_EXECUTED
    if labels[1] is None:
        labels = (labels[0], *http_outcome(status), labels[3])
    children = _children.get(labels)
    if children is None:
        operation, outcome, code, executor = labels
        children = _children[labels] = (metrics.REQUESTS.labels(operation, outcome, code),
                                         metrics.REQUEST_SECONDS.labels(operation, executor),
                                         metrics.REQUEST_STATEMENTS.labels(operation))
    children[0].inc()
    children[1].observe(seconds)
    counter = state.get("statements")
    children[2].observe(counter.count if counter is not None else 0)


# ---- serving ---------------------------------------------------------------------------

def scrape_registry():
    """Every worker's metrics in multiprocess mode, else this process's."""
    if os.environ.get(MULTIPROC_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def render(registry) -> bytes:
    """The registry in Prometheus text format. A worker creating its file while it is read
    (its first metric of a type) is read again a moment later."""
    for _ in range(2):
        try:
            return generate_latest(registry)
        except struct.error:
            time.sleep(0.05)
    return generate_latest(registry)


async def refresh_gauges() -> None:
    """What a scrape reads from the database first (the outbox backlog, P4 reviews overdue). A failure is logged
    and the scrape answers with the gauges as they were: metrics must not fail with the
    database they report on."""
    for refresh in (outbox.refresh_outbox_gauges, reminders.refresh_overdue_gauge):
        try:
            await refresh()
        except Exception:  # noqa: BLE001 - reported, never raised into a scrape
            log.warning("metrics: %s failed", refresh.__name__, exc_info=True)


def worker_exiting() -> None:
    """In multiprocess mode, drop this process's live gauges (pool connections)."""
    if os.environ.get(MULTIPROC_DIR):
        multiprocess.mark_process_dead(os.getpid())


class MetricsRoute:
    """ASGI middleware, outermost: GET/HEAD `/metrics` answered here, all else passed on."""

    def __init__(self, app, registry=None) -> None:
        self.app = app
        self.registry = registry or scrape_registry()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            response = Response("Method Not Allowed", status_code=405, headers={"Allow": "GET, HEAD"})
        else:  # reading every worker's files is blocking work: off the event loop
            await refresh_gauges()
            body = await run_in_threadpool(render, self.registry)
            response = Response(body, media_type=CONTENT_TYPE_LATEST)
        await response(scope, receive, send)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - scrapes are not access-logged
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def server_bind(self) -> None:
        if hasattr(socket, "SO_REUSEPORT"):  # every worker binds the same port
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        super().server_bind()


class MetricsServer:
    """`/metrics` on a port of its own (COSELL_METRICS=<port>), in a daemon thread."""

    def __init__(self, host: str, port: int, registry=None) -> None:
        self.host, self.port = host, port
        self.registry = registry or scrape_registry()
        self.httpd: WSGIServer | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def _app(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH:
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Not Found"]
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")])
            return [b"Method Not Allowed"]
        if self.loop is not None:  # the database gauges, read on the app's own event loop
            try:
                asyncio.run_coroutine_threadsafe(refresh_gauges(), self.loop).result(timeout=5)
            except Exception:  # noqa: BLE001 - a slow or stopped loop: the gauges as they were
                log.warning("metrics: the outbox gauges were not refreshed", exc_info=True)
        body = render(self.registry)
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))])
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]

    def start(self) -> None:
        """Bind and serve; OSError (with the address in its message) when the port is taken."""
        family, _, _, _, address = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)[0]
        server_class = type("MetricsHTTPServer", (_ThreadingServer,), {"address_family": family})
        try:
            httpd = server_class(address[:2], _QuietHandler)
        except OSError as exc:
            raise OSError(exc.errno, f"cannot serve metrics on {self.host}:{self.port} (COSELL_METRICS): "
                                     f"{exc.strerror}") from exc
        httpd.set_app(self._app)
        self.httpd = httpd
        try:
            self.loop = asyncio.get_running_loop()
        except RuntimeError:  # started outside the app's loop (tests): no database gauges
            self.loop = None
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, name="cosell-metrics",
                         daemon=True).start()
        log.info("metrics served", extra={"metrics_url": f"http://{self.host}:{self.port}{PATH}"})

    def stop(self) -> None:
        httpd, self.httpd = self.httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
