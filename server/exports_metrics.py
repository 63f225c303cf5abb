"""`GET /exports/channel-metrics.csv` (issue 36): the `channelMetrics` answer as CSV.

The export runs the GraphQL document `CHANNEL_METRICS` through the same schema with the
caller's principal (bearer token or single sign-on, as /graphql), so access, scoping, the
query cost budget and statement metering are the field's own, and the CSV's cells are the
GraphQL answer's values (tests/server/test_exports_metrics.py compares them). Parameters:
`from`, `to` (YYYY-MM-DD), and repeatable or comma-separated `regions`, `partnerIds`,
`tracks`, `types`, `groupBy`, and optionally `orderBy` (a `ChannelMetricsOrderField`) and
`direction` (ASC, DESC). Every group is written: the export asks the field for one page
after the other (the largest page size), each streamed as soon as it is answered.
"""

from __future__ import annotations

import csv
import io
from typing import AsyncIterator, Iterator

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from partners.analytics.ranking import MAX_PAGE_SIZE
from schema.core.context import Context
from server.auth import InvalidCredentials, principal_from_request

ROW_FIELDS = """partnerId partnerName region track type month quarter registrationsSubmitted registrationsApproved
  registrationsDenied registrationsReturned registrationsWithdrawn registrationsExpired approvalRate
  timeToFirstReview { count medianHours p90Hours missedTarget targetHours }
  timeToDecision { count medianHours p90Hours missedTarget targetHours }
  sourcedOpenPipeline { amount currency } sourcedWonNetArr { amount currency } opportunitiesWon opportunitiesLost
  winRate unconvertedCurrencies tasksDone tasksOverdue leadsShared leadsAcceptedInTime leadsActedOnInTime
  leadsRecalled casesOpened casesPickedUpInTime casesClosedInTime"""
CHANNEL_METRICS = ("query ChannelMetricsExport($f: ChannelMetricsFilter!, $g: [ChannelMetricsDimension!], "
                   "$o: ChannelMetricsOrder, $first: Int, $after: String) {\n"
                   "  channelMetrics(filter: $f, groupBy: $g, orderBy: $o, first: $first, after: $after) {\n"
                   "    currency convertedOn pageInfo { hasNextPage endCursor } rows { " + ROW_FIELDS + " } }\n}")
GROUP_COLUMNS = {"PARTNER": ("partnerId", "partnerName"), "REGION": ("region",), "TRACK": ("track",),
                 "TYPE": ("type",), "MONTH": ("month",), "QUARTER": ("quarter",)}
EXPORT_PAGE_SIZE = MAX_PAGE_SIZE  # groups per page the export asks for
LIST_PARAMETERS = ("regions", "partnerIds", "tracks", "types")
STATUS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "THROTTLED": 429, "QUERY_TOO_COSTLY": 400}


def _values(request: Request, name: str) -> list[str]:
    return [v.strip() for raw in request.query_params.getlist(name) for v in raw.split(",") if v.strip()]


def variables_of(request: Request) -> dict:
    f: dict = {"from": request.query_params.get("from"), "to": request.query_params.get("to")}
    for name in LIST_PARAMETERS:
        if _values(request, name):
            f[name] = _values(request, name)
    variables = {"f": f, "g": _values(request, "groupBy"), "first": EXPORT_PAGE_SIZE}
    if request.query_params.get("orderBy") or request.query_params.get("direction"):
        variables["o"] = {"by": request.query_params.get("orderBy") or "KEY",
                          "direction": request.query_params.get("direction") or "ASC"}
    return variables


def flatten(row: dict) -> dict:
    """One CSV record of a GraphQL row: nested figures as `timeToDecisionMedianHours`,
    money as its amount (the currency is the export's reporting currency), lists joined by spaces."""
    out = {}
    for name, value in row.items():
        if isinstance(value, dict) and "amount" in value:
            out[name] = value["amount"]
        elif isinstance(value, dict):
            for sub, v in value.items():
                out[name + sub[0].upper() + sub[1:]] = v
        elif isinstance(value, list):
            out[name] = " ".join(value)
        else:
            out[name] = value
    return out


def columns_for(group_by: list[str], sample: dict) -> list[str]:
    keys = [c for dim in dict.fromkeys(group_by) for c in GROUP_COLUMNS.get(dim, ())]
    every_key = {c for cs in GROUP_COLUMNS.values() for c in cs}
    return keys + ["currency"] + [c for c in sample if c not in every_key]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def csv_lines(columns: list[str], records: list[dict], header: bool = True) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for record in [None, *records] if header else records:
        writer.writerow(columns if record is None else [_cell(record.get(c)) for c in columns])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _error(status: int, code: str, message: str, request_id: str | None, **extra) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code, "requestId": request_id,
                                                                        **extra}}]}, status_code=status)


async def channel_metrics_csv(request: Request) -> Response:
    request_id = getattr(request.state, "request_id", None)
    try:
        principal = await principal_from_request(HTTPConnection(request.scope))
    except InvalidCredentials as exc:
        return _error(401, "UNAUTHENTICATED", str(exc), request_id)
    if not request.query_params.get("from") or not request.query_params.get("to"):
        return _error(400, "BAD_USER_INPUT", "Give `from` and `to` (YYYY-MM-DD).", request_id)
    variables = variables_of(request)
    response = Response()
    context = Context(request=request, response=response, principal=principal, settings=request.app.state.settings,
                      plugins=request.app.state.plugins, request_id=request_id or "")

    async def page(after: str | None):
        context.raw_variables = variables | {"after": after}
        return await request.app.state.schema.execute(CHANNEL_METRICS, variable_values=context.raw_variables,
                                                      context_value=context, operation_name="ChannelMetricsExport")

    result = await page(None)
    if result.errors:
        first = result.errors[0]
        code = (first.extensions or {}).get("code", "BAD_USER_INPUT")
        extra = {k: v for k, v in (first.extensions or {}).items() if k in ("field", "rule")}
        answer = _error(STATUS.get(code, 400), code, first.message, request_id, **extra)
        if "Retry-After" in response.headers:
            answer.headers["Retry-After"] = response.headers["Retry-After"]
        return answer
    data = result.data["channelMetrics"]
    columns = columns_for(variables["g"], flatten(data["rows"][0]) if data["rows"] else _EMPTY_SAMPLE)

    async def pages() -> AsyncIterator[str]:
        answer, header = data, True
        while True:
            records = [flatten(row) | {"currency": answer["currency"]} for row in answer["rows"]]
            for line in csv_lines(columns, records, header):
                yield line
            header = False
            if not answer["pageInfo"]["hasNextPage"]:
                return
            following = await page(answer["pageInfo"]["endCursor"])
            if following.errors:  # the status is sent: the export ends short, and says so
                yield f"# export interrupted: {following.errors[0].message}\r\n"
                return
            answer = following.data["channelMetrics"]

    filename = f"channel-metrics-{variables['f']['from']}-{variables['f']['to']}.csv"
    return StreamingResponse(pages(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                      "Cache-Control": "no-store"})


def _empty_sample() -> dict:
    """The columns of a row, for an answer without rows (the header still names them)."""
    names = ROW_FIELDS.replace("{", " { ").replace("}", " } ").split()
    out, parent = {}, None
    for i, name in enumerate(names):
        if name == "{":
            parent = names[i - 1]
            out.pop(parent, None)
        elif name == "}":
            parent = None
        elif parent in ("sourcedOpenPipeline", "sourcedWonNetArr"):
            out[parent] = None
        elif parent:
            out[parent + name[0].upper() + name[1:]] = None
        else:
            out[name] = None
    return out


_EMPTY_SAMPLE = _empty_sample()
