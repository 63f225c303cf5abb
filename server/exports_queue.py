"""`GET /exports/review-queue.csv` (issue 36): the review queue for spreadsheets.

The CSV is the GraphQL answer: each page is the `dealRegistrations` query below, executed
by the schema with the caller's principal, so the same scoping, cost budget (each page
spends its cost, as the same request over /graphql would), input checks and due order
apply; pages are fetched with their keyset cursors and streamed as they come. The filter
is `DealRegistrationFilter` as query parameters (`regions=AMER,EMEA` or repeated,
`actionableByMe=false`, `status=SUBMITTED` …); `actionableByMe` defaults to true.
"""

from __future__ import annotations

import csv
import io
from typing import Any, AsyncIterator

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response, StreamingResponse

from schema.core.context import Context
from server import http_guard
from server.auth import InvalidCredentials, principal_from_request

PAGE_SIZE = 100

DOCUMENT = """query ReviewQueueExport($f: DealRegistrationFilter, $first: Int, $after: String) {
  dealRegistrations(filter: $f, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id status type region customerName partner { name } products
      estimatedAmountMoney { amount currency } submittedAt dueAt dueInWorkingHours overdueByWorkingHours
    }
  }
}"""

# (CSV header, the value's path in a node)
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id", ("id",)), ("status", ("status",)), ("type", ("type",)), ("region", ("region",)),
    ("customerName", ("customerName",)), ("partner", ("partner", "name")), ("products", ("products",)),
    ("estimatedAmount", ("estimatedAmountMoney", "amount")), ("currency", ("estimatedAmountMoney", "currency")),
    ("submittedAt", ("submittedAt",)), ("dueAt", ("dueAt",)), ("dueInWorkingHours", ("dueInWorkingHours",)),
    ("overdueByWorkingHours", ("overdueByWorkingHours",)),
)

# DealRegistrationFilter's fields by how a query parameter becomes their value.
_BOOLEANS = {"actionableByMe", "conflicting", "dueForReview", "overdue"}
_LISTS = {"regions"}
_INTS = {"expiringWithinDays"}
_TEXTS = {"status", "type", "partnerId", "region"}

_STATUS_OF = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "THROTTLED": 429, "INTERNAL_SERVER_ERROR": 500,
              "DATABASE_UNAVAILABLE": 503, "DATABASE_BUSY": 503}


def cell(node: dict, path: tuple[str, ...]) -> str:
    """A node's value as a CSV cell: empty for null, a list joined by ';'."""
    value: Any = node
    for key in path:
        value = None if value is None else value.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class BadParameter(ValueError):
    pass


def filter_from_params(request: Request) -> dict:
    """The query parameters as a DealRegistrationFilter (values coerced by GraphQL itself)."""
    params = request.query_params
    given: dict[str, Any] = {"actionableByMe": True}
    for name in params.keys():
        values = params.getlist(name)
        if name in _LISTS:
            given[name] = [v.strip() for value in values for v in value.split(",") if v.strip()]
        elif len(values) != 1:
            raise BadParameter(f"`{name}` is given more than once.")
        elif name in _BOOLEANS:
            if values[0] not in ("true", "false"):
                raise BadParameter(f"`{name}` must be true or false.")
            given[name] = values[0] == "true"
        elif name in _INTS:
            try:
                given[name] = int(values[0])
            except ValueError:
                raise BadParameter(f"`{name}` must be a whole number.") from None
        elif name in _TEXTS:
            given[name] = values[0]
        else:
            raise BadParameter(f"Unknown filter `{name}`: the parameters are DealRegistrationFilter's fields.")
    return given


def _refusal(result) -> Response:
    error = result.errors[0]
    extensions = dict(error.extensions or {})
    code = extensions.pop("code", "INTERNAL_SERVER_ERROR")
    status = _STATUS_OF.get(code, 400)
    headers = {"Retry-After": str(extensions["retryAfter"])} if "retryAfter" in extensions else None
    return http_guard.json_error(status, error.message, code, headers=headers,
                                 **{k: v for k, v in extensions.items() if k in ("field", "reason", "retryAfter")})


async def review_queue_csv(request: Request) -> Response:
    try:
        principal = await principal_from_request(HTTPConnection(request.scope))
    except InvalidCredentials as exc:
        return http_guard.json_error(401, str(exc), "UNAUTHENTICATED", headers={"WWW-Authenticate": "Bearer"})
    if principal is None:
        return http_guard.json_error(401, "Send `Authorization: Bearer <token>`.", "UNAUTHENTICATED",
                                     headers={"WWW-Authenticate": "Bearer"})
    try:
        variables = {"f": filter_from_params(request), "first": PAGE_SIZE, "after": None}
    except BadParameter as exc:
        return http_guard.json_error(400, str(exc), "BAD_USER_INPUT")
    app = request.app
    settings = app.state.settings

    async def page(after: str | None):
        context = Context(request=request, response=None, principal=principal, settings=settings,
                          plugins=app.state.plugins, request_id=request.state.request_id)
        return await app.state.schema.execute(DOCUMENT, variable_values={**variables, "after": after},
                                              context_value=context, operation_name="ReviewQueueExport")

    first = await page(None)
    if first.errors:
        return _refusal(first)

    async def rows() -> AsyncIterator[str]:
        result = first
        yield _line([header for header, _ in COLUMNS])
        while True:
            connection = result.data["dealRegistrations"]
            for node in connection["nodes"]:
                yield _line([cell(node, path) for _, path in COLUMNS])
            if not connection["pageInfo"]["hasNextPage"]:
                return
            result = await page(connection["pageInfo"]["endCursor"])
            if result.errors:  # the budget ran out mid-way: end the stream broken, not short
                raise RuntimeError(f"review queue export stopped: {result.errors[0].message}")

    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="review-queue.csv"',
                                      "Cache-Control": "no-store"})


def _line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(values)
    return out.getvalue()
