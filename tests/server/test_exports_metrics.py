"""GET /exports/channel-metrics.csv (issue 36): the channelMetrics answer as CSV, with the
same token, scoping and errors as the GraphQL field."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from partners.infra.clock import now
from partners.people.enums import Role
from partners.people.tables import User
from server.exports_metrics import ROW_FIELDS
from tests.demo_world import demo_world

QUERY = ("query($f: ChannelMetricsFilter!, $g: [ChannelMetricsDimension!]) { channelMetrics(filter: $f, groupBy: $g) "
         "{ currency rows { " + ROW_FIELDS + " } } }")
GROUPINGS = [[], ["PARTNER"], ["REGION", "MONTH"], ["TRACK", "TYPE", "QUARTER"]]


def cells(row: dict) -> dict:
    """What each CSV column must hold for a GraphQL row (written out here independently)."""
    out = {}
    for name, value in row.items():
        if name in ("sourcedOpenPipeline", "sourcedWonNetArr"):
            out[name] = value["amount"] if value else ""
        elif isinstance(value, dict):
            out.update({name + k[0].upper() + k[1:]: v for k, v in value.items()})
        elif isinstance(value, list):
            out[name] = " ".join(value)
        else:
            out[name] = value
    return {k: "" if v is None else v for k, v in out.items()}


def same(cell: str, value) -> bool:
    if isinstance(value, float):
        return float(cell) == value
    return cell == str(value)


async def export(client, params: list[tuple[str, str]], token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.get("/exports/channel-metrics.csv", params=params, headers=headers)


async def test_the_csv_equals_the_graphql_answer_for_every_grouping(gql, cosell_client):
    logins = {login.role: login for login in await demo_world()}
    token = logins[Role.ADMIN].token
    start, end = now().date() - timedelta(days=365), now().date() + timedelta(days=30)
    for group_by in GROUPINGS:
        variables = {"f": {"from": start.isoformat(), "to": end.isoformat()}, "g": group_by}
        answer = (await gql(QUERY, variables, token=token))["data"]["channelMetrics"]
        params = [("from", start.isoformat()), ("to", end.isoformat())] + [("groupBy", g) for g in group_by]
        response = await export(cosell_client, params, token)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        records = list(csv.DictReader(io.StringIO(response.text)))
        assert len(records) == len(answer["rows"]) > 0
        for record, row in zip(records, answer["rows"]):
            assert record["currency"] == answer["currency"]
            for column, value in cells(row).items():
                if column in record:
                    assert same(record[column], value), (group_by, column, record[column], value)
            # Grouping columns not asked for are not exported.
            asked = {"PARTNER": "partnerId", "REGION": "region", "MONTH": "month", "TRACK": "track", "TYPE": "type",
                     "QUARTER": "quarter"}
            assert {asked[g] for g in group_by} <= set(record)
            assert not {c for g, c in asked.items() if g not in group_by} & set(record)


async def test_the_export_is_scoped_and_refuses_like_the_field(gql, cosell_client):
    logins = {login.role: login for login in await demo_world()}
    start, end = now().date() - timedelta(days=365), now().date() + timedelta(days=30)
    params = [("from", start.isoformat()), ("to", end.isoformat()), ("groupBy", "PARTNER")]
    partner_user = logins[Role.PARTNER_USER]
    me = await User.select(User.partner).where(User.email == partner_user.email).first()
    response = await export(cosell_client, params, partner_user.token)
    assert response.status_code == 200
    records = list(csv.DictReader(io.StringIO(response.text)))
    from server.testing import global_id
    assert [r["partnerId"] for r in records] == [global_id("Partner", me["partner"])]
    assert (await export(cosell_client, params, None)).status_code == 401
    assert (await export(cosell_client, params, "not-a-token")).status_code == 401
    bad = await export(cosell_client, [("from", "2030-02-01"), ("to", "2030-01-01")], logins[Role.ADMIN].token)
    assert bad.status_code == 400 and bad.json()["errors"][0]["extensions"]["code"] == "INVALID_PERIOD"
    bad = await export(cosell_client, params + [("regions", "MARS")], logins[Role.ADMIN].token)
    assert bad.status_code == 400 and bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    empty = await export(cosell_client, [("from", "2001-01-01"), ("to", "2001-01-31")], logins[Role.ADMIN].token)
    assert empty.status_code == 200 and empty.text.startswith("currency,registrationsSubmitted,")
    assert len(empty.text.strip().splitlines()) == 1


async def test_the_csv_holds_every_page_in_the_order_asked(gql, cosell_client, monkeypatch):
    """Issue 36: the export streams page after page (here pages of one group) until the last:
    every group of the GraphQL answer, in its order, whatever the page size."""
    import server.exports_metrics as exports

    monkeypatch.setattr(exports, "EXPORT_PAGE_SIZE", 1)
    logins = {login.role: login for login in await demo_world()}
    token = logins[Role.ADMIN].token
    start, end = now().date() - timedelta(days=365), now().date() + timedelta(days=30)
    query = ("query($f: ChannelMetricsFilter!, $g: [ChannelMetricsDimension!], $o: ChannelMetricsOrder) { "
             "channelMetrics(filter: $f, groupBy: $g, orderBy: $o, first: 1000) { currency rows { " + ROW_FIELDS +
             " } } }")
    for order in (None, {"by": "REGISTRATIONS_SUBMITTED", "direction": "DESC"}):
        variables = {"f": {"from": start.isoformat(), "to": end.isoformat()}, "g": ["PARTNER"], "o": order}
        answer = (await gql(query, variables, token=token))["data"]["channelMetrics"]
        params = [("from", start.isoformat()), ("to", end.isoformat()), ("groupBy", "PARTNER")]
        if order:
            params += [("orderBy", order["by"]), ("direction", order["direction"])]
        response = await export(cosell_client, params, token)
        assert response.status_code == 200, response.text
        records = list(csv.DictReader(io.StringIO(response.text)))
        assert len(answer["rows"]) > 2 and len(records) == len(answer["rows"])
        for record, row in zip(records, answer["rows"]):
            for column, value in cells(row).items():
                if column in record:
                    assert same(record[column], value), (order, column, record[column], value)
