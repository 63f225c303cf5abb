"""The Starlette application: GraphQL, GraphiQL, health checks.

    uvicorn --factory server.app:create_app
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

from partners.infra import budgets, tracing
from partners.infra.db import count_statements, current_engine
from partners.infra.engines import (
    DatabaseUnavailable,
    bind_engine,
    close_database,
    configure_engine,
    describe,
    engine_for,
    is_connection_lost,
    open_database,
    ping,
)
from partners.infra.migrate import pending_migrations
from partners.infra.request_connection import request_connection
from partners.money import currencies
from plugins.lifecycle import PluginLifecycle
from plugins.manager import CosellPluginManager, PluginError, PluginFailure, plugin_manager_for
from schema import build_schema
from schema.core.context import Context
from schema.core.errors import is_request_error, is_unexpected, masked, with_contract
from schema.documents.prepared import STATE_KEY as PREPARED_KEY
from server import http_guard, metrics
from server.auth import InvalidCredentials, principal_from_request
from server.dashboard import dashboard_asset, dashboard_page
from server.exports_metrics import channel_metrics_csv
from server.background import BackgroundRunner, background_jobs
from server.documents import Refusal, TrustedDocuments, allow_list_roles, lift_document_id
from server.gc_tuning import GcFreezer
from server.exports_queue import review_queue_csv
from server.graphiql import favicon, graphiql_asset, render_graphiql
from server.logs import configure_logging, request_id_var
from server.request_tracing import TracedRequest, note_caller, note_operation, note_result
from server.settings import Settings
from server.sso import SingleSignOn
from server.workbench import workbench_tabs

log = logging.getLogger("cosell.server")
access_log = logging.getLogger("cosell.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class StartupError(RuntimeError):
    """The server must not start: the message says why and what to do."""


class RequestContextMiddleware:
    """Give each request an id (or keep a sane incoming X-Request-ID), count its SQL
    statements, echo the id in the response and write one access log line."""

    def __init__(self, app, after_request=None) -> None:
        self.app = app
        self.after_request = after_request

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = HTTPConnection(scope).headers.get("x-request-id", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                MutableHeaders(scope=message)["x-request-id"] = request_id
            await send(message)

        try:
            with count_statements() as counter:
                state["statements"] = counter
                async with request_connection(current_engine()):
                    await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status["code"],
                extra={
                    "status": status["code"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "sql_statements": counter.count,
                },
            )
            request_id_var.reset(token)
            if self.after_request is not None:
                self.after_request()


class CosellGraphQL(GraphQL):
    def __init__(self, schema, *, settings: Settings, plugins: CosellPluginManager) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None, allow_queries_via_get=True)
        self.settings = settings
        self.plugins = plugins
        self.documents = TrustedDocuments(allow_list_roles(settings.trusted_documents_roles))
        self.metered = settings.metrics

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        limit = self.settings.max_body_bytes
        http_guard.normalize_content_type(scope)
        request = Request(scope, receive=http_guard.limited_receive(receive, limit))
        length = http_guard.declared_length(request)
        if length is not None and length > limit:
            response = http_guard.too_large(limit)
        else:
            response = http_guard.unsupported_content_type(request)
        if response is None:
            try:
                principal = request.state.principal
                response = (
                    await http_guard.anonymous_throttle(request, principal, self.settings)
                    or await http_guard.unreadable_body(request)
                    or await http_guard.idempotent(request, principal, self.settings, lambda: self.run(request))
                )
            except http_guard.BodyTooLarge:
                response = http_guard.too_large(limit)
            except HTTPException as exc:  # Strawberry's own refusals, as JSON with a code
                response = http_guard.json_error(exc.status_code, exc.reason)
        await response(scope, receive, send)

    async def get_context(self, request: Request, response: Any) -> Context:
        return Context(
            request=request,
            response=response,
            principal=request.state.principal,
            settings=self.settings,
            plugins=self.plugins,
            request_id=request.state.request_id,
        )

    def should_render_graphql_ide(self, request) -> bool:
        # A GET by document id has no `query` but is an operation (Apollo sends Accept: */*).
        params = request.query_params
        if "extensions" in params or "documentId" in params or "doc_id" in params:
            return False
        return super().should_render_graphql_ide(request)

    def parse_json(self, data):
        return lift_document_id(super().parse_json(data))

    def parse_query_params(self, params):
        return lift_document_id(super().parse_query_params(params))

    async def execute_single(self, request, request_adapter, sub_response, context, root_value, request_data):
        # Trusted documents and automatic persisted queries (issue 17, server/documents.py).
        try:
            query = await self.documents.resolve(request_data.query, request_data.extensions,
                                                 request.state.principal, request.state)
        except Refusal as refusal:
            note_operation(request, request_data.operation_name, None)
            note_result(request, context, None, refused=refusal.code)
            sub_response.status_code = refusal.status
            if self.metered:
                metrics.label_refusal(request.state, request_data.operation_name, refusal.code)
            return refusal.result()
        if tracing.enabled():
            prepared = getattr(request.state, PREPARED_KEY, None)
            note_operation(request, request_data.operation_name,
                           prepared.document_id if prepared is not None and prepared.trusted else None)
        if query is not request_data.query:
            request_data = dataclasses.replace(request_data, query=query)
        result = await super().execute_single(request, request_adapter, sub_response, context, root_value,
                                              request_data)
        note_result(request, context, result)
        if self.metered:  # the request's labels, once; recorded by GraphQLEndpoint
            metrics.label_result(request.state, context, request_data.operation_name, result)
        # application/graphql-response+json: a request error (parse, validation, variables
        # that do not coerce) is a 400; application/json keeps 200 (GraphQL over HTTP).
        if getattr(request.state, "graphql_response", False) and not sub_response.status_code \
                and is_request_error(result):
            sub_response.status_code = 400
        return result

    def encode_json(self, data: object) -> bytes:
        # orjson: several times faster than json.dumps on large results (issue 11).
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request):
        return render_graphiql()

    async def process_result(self, request: Request, result):
        request_error = getattr(request.state, "graphql_response", False) and is_request_error(result)
        # A failure inside a schema extension escapes MaskUnexpectedErrors: mask it here too.
        if result.errors:
            request_id = request.state.request_id
            result.errors = [with_contract(masked(e, request_id) if is_unexpected(e) else e, request_id)
                             for e in result.errors]
        data = await super().process_result(request, result)
        if request_error:  # no `data` entry at all for a request error in the new media type
            data.pop("data", None)
        if self.settings.expose_metrics:
            data.setdefault("extensions", {})["sqlStatements"] = request.state.statements.count
        return data


class GraphQLEndpoint:
    """Authenticate, then hand the request to Strawberry. A bad token is a 401, not
    an anonymous call, so a client never silently loses its identity."""

    def __init__(self, graphql_app: CosellGraphQL) -> None:
        self.graphql_app = graphql_app
        self.metered = graphql_app.metered

    async def __call__(self, scope, receive, send) -> None:
        started = False
        status = 499  # the client hung up before an answer started
        began = time.perf_counter() if self.metered else 0.0
        # GraphQL over HTTP: which media type the answer is in (docs/api.md, "HTTP").
        graphql_response = http_guard.accepts_graphql_response(HTTPConnection(scope).headers.get("accept"))
        scope.setdefault("state", {})["graphql_response"] = graphql_response

        async def tracking_send(message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                MutableHeaders(scope=message).add_vary_header("Accept")
                if graphql_response:
                    http_guard.as_graphql_response(message)
            await send(message)

        try:
            await self.handle(scope, receive, tracking_send)
        except ClientDisconnect:
            # The client hung up before sending its whole request: nobody to answer.
            log.info("client disconnected before the request was read")
        except Exception as exc:  # noqa: BLE001 - answered as JSON below, never as a stack trace
            if started:
                raise
            response = unexpected_failure(scope, exc)
            status = response.status_code
            await response(scope, receive, send)
        finally:
            if self.metered:
                metrics.record_request(scope["state"], status, time.perf_counter() - began)

    async def handle(self, scope, receive, send) -> None:
        try:
            principal = await principal_from_request(HTTPConnection(scope))
        except InvalidCredentials as exc:
            request_id = scope.get("state", {}).get("request_id")
            response = JSONResponse(
                {"errors": [{"message": str(exc), "extensions": {"code": "UNAUTHENTICATED", "requestId": request_id}}]},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        note_caller(scope, principal)
        await self.graphql_app(scope, receive, send)


def unexpected_failure(scope, exc: Exception) -> JSONResponse:
    """A failure outside GraphQL execution (authentication, idempotency bookkeeping): 503
    DATABASE_UNAVAILABLE with Retry-After when the database went away, else a masked 500;
    JSON with the request id either way."""
    request_id = scope.get("state", {}).get("request_id")
    if is_connection_lost(exc):
        log.warning("database unavailable: %s", exc)
        return http_guard.json_error(
            503, f"The database is unavailable; retry in a moment (request id {request_id}).", "DATABASE_UNAVAILABLE",
            headers={"Retry-After": "1"}, requestId=request_id, retryAfter=1)
    log.error("unexpected error outside GraphQL execution: %s", exc, exc_info=exc)
    return http_guard.json_error(500, f"Internal error; quote request id {request_id} when reporting it.",
                                 "INTERNAL_SERVER_ERROR", requestId=request_id)


def create_app(settings: Settings | None = None, *, plugin_manager: CosellPluginManager | None = None,
               schema: Any = None) -> Starlette:
    """`schema`: a schema `build_schema(settings)` made earlier for these same settings
    (the test fixtures share one per settings instead of building it for every app)."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level, settings.log_json)
    tracing.configure_from_env()  # OTEL_TRACES_EXPORTER (docs/operations.md, "Traces")
    engine = engine_for(settings.database_url)
    configure_engine(engine, statement_cache_size=settings.db_statement_cache_size,
                     sqlite_busy_timeout=settings.sqlite_busy_timeout, sqlite_busy_retries=settings.sqlite_busy_retries,
                     metrics=settings.metrics, sqlite_synchronous=settings.sqlite_synchronous)
    bind_engine(engine)
    budgets.configure(flush_ms=settings.cost_budget_flush_ms)
    currencies.configure(default=settings.default_currency, reporting=settings.reporting_currency)
    plugins = plugin_manager or plugin_manager_for(settings)
    graphql_app = CosellGraphQL(schema or build_schema(settings, plugins), settings=settings, plugins=plugins)
    freezer = GcFreezer(enabled=settings.gc_freeze, young_threshold=settings.gc_young_threshold)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        try:
            await open_database(engine, pool_min=settings.db_pool_min, pool_max=settings.db_pool_max)
        except DatabaseUnavailable as exc:
            raise StartupError(str(exc)) from exc
        pending = await pending_migrations()
        if pending:
            await close_database(engine)
            raise StartupError(
                f"{len(pending)} migration(s) not applied to {describe(engine)} "
                f"(first: {pending[0]}): run `cosell migrate`."
            )
        metrics_server = None
        if settings.metrics and settings.metrics_port is not None:
            metrics_server = metrics.MetricsServer(settings.metrics_host, settings.metrics_port)
            try:
                metrics_server.start()
            except OSError as exc:
                await close_database(engine)
                raise StartupError(str(exc.strerror or exc)) from exc
        # Issue 41: the plugins open what they need before the first request or job.
        lifecycle = PluginLifecycle(plugins, "serve")
        try:
            await lifecycle.start()
        except PluginFailure as exc:
            await close_database(engine)
            if metrics_server is not None:
                await asyncio.to_thread(metrics_server.stop)
            raise StartupError(str(exc)) from exc
        log.info("cosell ready", extra={"database": describe(engine), "plugins": len(plugins.plugin_infos())})
        # The runner always exists (tests drive it with `run_once()`); the setting decides
        # whether its periodic tasks start.
        try:  # plugins add jobs and outbox kinds (issue 39): a wrong answer stops the start cleanly
            background = BackgroundRunner(background_jobs(settings, plugins))
        except (PluginError, PluginFailure) as exc:
            await lifecycle.stop()
            await close_database(engine)
            if metrics_server is not None:
                await asyncio.to_thread(metrics_server.stop)
            raise StartupError(str(exc)) from exc
        if settings.background_jobs:
            background.start()
        app.state.background = background
        freezer.started()
        try:
            yield
        finally:
            freezer.stopped()
            await background.stop()
            await lifecycle.stop()
            try:  # what the budgets granted without writing it yet (issue 38 item 3)
                await budgets.flush()
            except Exception as exc:  # noqa: BLE001 - the database may be gone already
                log.warning("cost budgets not written at shutdown: %s", exc)
            await close_database(engine)
            if metrics_server is not None:
                await asyncio.to_thread(metrics_server.stop)
            if settings.metrics:
                metrics.worker_exiting()
            tracing.flush()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        try:
            await ping(engine)
            pending = await pending_migrations()
        except Exception as exc:  # noqa: BLE001 - not ready, whatever the cause
            log.warning("readiness check failed: %s", exc)
            return JSONResponse({"status": "unavailable", "reason": "database unreachable"}, status_code=503)
        if pending:
            return JSONResponse({"status": "unavailable", "reason": "migrations pending"}, status_code=503)
        return JSONResponse({"status": "ready"})

    endpoint = GraphQLEndpoint(graphql_app)
    routes = [
        Route("/graphql", TracedRequest(endpoint), methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/exports/review-queue.csv", review_queue_csv, methods=["GET"]),
        Route("/exports/channel-metrics.csv", channel_metrics_csv, methods=["GET"]),
    ]
    if settings.graphiql:
        routes += [Route("/graphiql/workbench.json", workbench_tabs, methods=["GET"]),
                   Route("/graphiql/{asset}", graphiql_asset, methods=["GET"]),
                   Route("/favicon.ico", favicon, methods=["GET"])]
    if settings.dashboard:
        routes += [Route("/dashboard", dashboard_page, methods=["GET"]),
                   Route("/dashboard/{asset}", dashboard_asset, methods=["GET"])]
    app = Starlette(routes=routes, lifespan=lifespan)
    if settings.cors_origins:
        # Portals on their own origin (issue 20). Tokens travel in the Authorization header,
        # so credentials (cookies) stay off unless asked for. Inside the request context, so a
        # preflight answer has its X-Request-ID and access log line too.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=settings.cors_max_age,
        )
    app.add_middleware(RequestContextMiddleware, after_request=freezer.request_done)
    if settings.metrics and settings.metrics_port is None:
        # Outermost: a scrape skips the request id, access log, CORS, guard, auth and budgets.
        app.add_middleware(metrics.MetricsRoute)
    app.state.settings = settings
    app.state.sso = SingleSignOn.from_settings(settings)  # a bad COSELL_JWT_ISSUERS fails here
    app.state.plugins = plugins
    app.state.schema = graphql_app.schema
    return app
