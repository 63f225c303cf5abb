"""HTTP-level protections of the GraphQL endpoint: clear JSON errors for bad requests
(size, JSON, content type), and idempotent mutations (Idempotency-Key)."""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from partners.infra import budgets, idempotency
from partners.infra.audit import redact
from partners.infra.metrics import BUDGET_REFUSALS
from partners.people.principal import Principal
from server.logs import request_id_var

STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "IDEMPOTENCY_KEY_IN_PROGRESS",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "IDEMPOTENCY_KEY_REUSED",
    429: "THROTTLED",
}


GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


def accepts_graphql_response(accept: str | None) -> bool:
    """Whether to answer in GraphQL over HTTP's own media type: the client's Accept names
    application/graphql-response+json with a quality at least that of application/json
    (`*/*` and `application/*` count as application/json). No Accept, `*/*` or
    application/json alone keep application/json."""
    wanted = fallback = 0.0
    for part in (accept or "").split(","):
        media_type, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media_type = media_type.lower()
        if media_type == GRAPHQL_RESPONSE_JSON:
            wanted = max(wanted, quality)
        elif media_type in ("application/json", "application/*", "*/*"):
            fallback = max(fallback, quality)
    return wanted > 0 and wanted >= fallback


def as_graphql_response(message) -> None:
    """Relabel an `http.response.start` whose body is application/json as
    application/graphql-response+json (the body is the same JSON)."""
    headers = MutableHeaders(scope=message)
    if headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
        headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"


def json_error(status: int, message: str, code: str | None = None, headers: dict | None = None, **extensions: Any) -> JSONResponse:
    extensions.setdefault("requestId", request_id_var.get())  # the error contract (docs/api.md)
    body = {"errors": [{"message": message, "extensions": {"code": code or STATUS_CODES.get(status, "BAD_REQUEST"), **extensions}}]}
    return JSONResponse(body, status_code=status, headers=headers)


class BodyTooLarge(Exception):
    pass


def limited_receive(receive, limit: int):
    """A `receive` that refuses to deliver more than `limit` body bytes."""
    seen = 0

    async def wrapped():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message

    return wrapped


def too_large(limit: int) -> JSONResponse:
    return json_error(413, f"The request body is larger than {limit} bytes.", maxBodyBytes=limit)


def declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    return int(raw) if raw and raw.isdigit() else None


def normalize_content_type(scope) -> None:
    """Media types are case-insensitive (RFC 9110, 8.3.1) but Strawberry compares them as
    typed: lower-case the type of the request's Content-Type (`APPLICATION/JSON`)."""
    headers = list(scope.get("headers") or ())
    for i, (name, value) in enumerate(headers):
        if name.lower() == b"content-type":
            media_type, sep, params = value.partition(b";")
            headers[i] = (name, media_type.strip().lower() + sep + params)
    scope["headers"] = headers


async def unreadable_body(request: Request) -> JSONResponse | None:
    """A POST body must be UTF-8 JSON holding an object (or a list, refused later as a
    batch): `null`, numbers, strings and undecodable bytes are a 400, not a 500."""
    if request.method != "POST":
        return None
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        return json_error(400, "The request body is not valid UTF-8; send JSON encoded as UTF-8.")
    if text.lstrip()[:1] not in ("{", "["):
        return json_error(400, 'The request body must be a JSON object: {"query": "...", "variables": {...}}.')
    return None


async def anonymous_throttle(request: Request, principal: Principal | None, settings) -> JSONResponse | None:
    """Anonymous callers spend 1 point per request from their IP's budget, whatever the
    request (introspection, invalid documents and their hints included); over it, 429."""
    if principal is not None or settings.anonymous_budget_per_minute <= 0:
        return None
    host = request.client.host if request.client else None
    spent = await budgets.spend(budgets.anonymous_bucket(host), 1, settings.anonymous_budget_per_minute)
    if spent.allowed:
        return None
    BUDGET_REFUSALS.labels("anonymous").inc()
    return json_error(
        429, f"Too many requests from this address without a token: {spent.limit} per minute. "
        f"Retry in {spent.reset_in} s, or sign in.",
        headers={"Retry-After": str(spent.reset_in)}, retryAfter=spent.reset_in, limit=spent.limit,
    )


def unsupported_content_type(request: Request) -> JSONResponse | None:
    """POST bodies must be JSON (Strawberry answers any other type with a plain-text 400)."""
    if request.method != "POST":
        return None
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json":
        return None
    return json_error(
        415, f"Send GraphQL requests as application/json (got {media_type or 'no content type'!r}).",
        headers={"Accept-Post": "application/json"},
    )


def _mutation_request(body: bytes) -> dict | None:
    """The JSON request if it is one well-formed mutation operation, else None."""
    try:
        payload = json.loads(body)
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return None
        operation = get_operation_ast(parse(payload["query"]), payload.get("operationName"))
    except (ValueError, GraphQLError, TypeError):
        return None
    if operation is None or operation.operation is not OperationType.MUTATION:
        return None
    return {k: payload.get(k) for k in ("query", "variables", "operationName")}


def _storable(response: Response) -> str | None:
    """The body to store for replays (secrets redacted), or None when the request should
    run again on retry: refused at the HTTP level, or failed with an internal error."""
    if response.status_code != 200:
        return None
    try:
        data = json.loads(response.body)
    except ValueError:
        return None
    codes = {(e.get("extensions") or {}).get("code") for e in data.get("errors") or []}
    if codes & {"INTERNAL_SERVER_ERROR", "DATABASE_UNAVAILABLE", "DATABASE_BUSY"}:
        return None
    return json.dumps(redact(data), separators=(",", ":"))


async def idempotent(
    request: Request, principal: Principal | None, settings, run: Callable[[], Awaitable[Response]]
) -> Response:
    """Run a request with an Idempotency-Key once; answer retries from the stored response."""
    key = request.headers.get("idempotency-key")
    if key is None or request.method != "POST":
        return await run()
    payload = _mutation_request(await request.body())
    if payload is None:  # queries are idempotent anyway; bad requests fail on their own
        return await run()
    if not idempotency.valid_key(key):
        return json_error(400, "Idempotency-Key must be 1 to 255 printable ASCII characters.", "INVALID_IDEMPOTENCY_KEY")
    if principal is None:
        return json_error(401, "Idempotency-Key needs an authenticated caller.", headers={"WWW-Authenticate": "Bearer"})
    req_hash = idempotency.request_hash(payload)
    claim = await idempotency.claim(
        f"user:{principal.user_id}", key, req_hash,
        ttl_seconds=settings.idempotency_ttl_seconds, lease_seconds=settings.idempotency_lease_seconds,
    )
    if claim.state is idempotency.ClaimState.IN_PROGRESS:
        claim = await idempotency.wait_for(claim.scope_key, req_hash, timeout=settings.idempotency_wait_seconds)
    if claim.state is idempotency.ClaimState.REPLAY:
        return Response(claim.body, status_code=claim.status, media_type="application/json",
                        headers={"Idempotent-Replayed": "true"})
    if claim.state is idempotency.ClaimState.MISMATCH:
        return json_error(422, "This Idempotency-Key was used for a different request; use a new key.")
    if claim.state is idempotency.ClaimState.IN_PROGRESS:
        return json_error(409, "A request with this Idempotency-Key is still running; retry later.",
                          headers={"Retry-After": "1"})
    try:
        response = await run()
    except BaseException:
        await idempotency.release(claim.scope_key)
        raise
    stored = _storable(response)
    if stored is None:
        await idempotency.release(claim.scope_key)
    else:
        await idempotency.complete(claim.scope_key, response.status_code, stored)
    return response
