"""channelMetrics pages (issue 36): `first`/`after` and `orderBy` give, page after page, the
groups of tests/analytics/expected.py in the order asked (a figure, ties by the group key;
or the key), with the same figures; cursors are positions of one filter, grouping and
ordering; a partner user pages through their own partner's row only; the statements do not
grow with the number of groups nor the page size."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from partners.infra.clock import now
from partners.people.enums import Role
from partners.people.tables import User
from tests.analytics.expected import expected_metrics, gid
from tests.analytics.test_channel_metrics import FIELDS, GROUPINGS, ROW, assert_same, keyed, period

PAGE = """query($f: ChannelMetricsFilter!, $g: [ChannelMetricsDimension!], $o: ChannelMetricsOrder, $first: Int,
  $after: String) {
  channelMetrics(filter: $f, groupBy: $g, orderBy: $o, first: $first, after: $after) {
    rows { %s } pageInfo { hasNextPage hasPreviousPage endCursor } } }""" % ROW
TOTAL = """query($f: ChannelMetricsFilter!, $g: [ChannelMetricsDimension!], $first: Int) {
  channelMetrics(filter: $f, groupBy: $g, first: $first) { totalGroups rows { registrationsSubmitted } } }"""
# Ordering -> the figure of expected.py it ranks by (None: the group key).
ORDERS = {"KEY": None, "REGISTRATIONS_SUBMITTED": "registrationsSubmitted",
          "REGISTRATIONS_APPROVED": "registrationsApproved", "SOURCED_OPEN_PIPELINE": "sourcedOpenPipeline",
          "SOURCED_WON_NET_ARR": "sourcedWonNetArr", "TASKS_DONE": "tasksDone", "LEADS_SHARED": "leadsShared",
          "CASES_OPENED": "casesOpened"}


def key_order(key: tuple, group_by: list[str]) -> tuple:
    """The group key's order: partner name (code points) then id; each other value; nulls last."""
    out, i = [], 0
    for dim in group_by:
        if dim == "PARTNER":
            pk = int(base64.b64decode(key[i]).decode().split(":")[1])
            out += [(False, key[i + 1]), (False, pk)]
            i += 2
        else:
            out.append((key[i] is None, key[i] or ""))
            i += 1
    return tuple(out)


def expected_order(expected: dict, group_by: list[str], by: str, descending: bool) -> list[tuple]:
    keys = sorted(expected, key=lambda k: key_order(k, group_by))
    figure = ORDERS[by]
    if figure is None:
        return keys[::-1] if descending else keys

    def value(k):
        v = expected[k][figure]
        return Decimal(v) if isinstance(v, str) else v
    return sorted(keys, key=lambda k: -value(k) if descending else value(k))  # stable: ties keep the key order


async def all_pages(gql, token: str, f: dict, group_by: list[str], order: dict | None, first: int) -> list[dict]:
    rows, after, pages = [], None, 0
    while True:
        body = await gql(PAGE, {"f": f, "g": group_by, "o": order, "first": first, "after": after}, token=token)
        result = body["data"]["channelMetrics"]
        assert len(result["rows"]) <= first
        assert result["pageInfo"]["hasPreviousPage"] is (after is not None)
        rows += result["rows"]
        pages += 1
        assert pages < 200
        if not result["pageInfo"]["hasNextPage"]:
            return rows
        after = result["pageInfo"]["endCursor"]


def nonempty_keys(rows: list[dict], group_by: list[str]) -> list[tuple]:
    kept = keyed(rows, group_by)
    return [k for k in (tuple(r[n] for dim in group_by for n in FIELDS[dim]) for r in rows) if k in kept]


async def test_pages_in_every_order_hold_the_computed_groups_and_figures(gql, demo):
    """Every groupBy by key and by figure, both directions, pages of 2: the concatenated pages
    equal the figures computed from the rows, in the expected order (P4, P11, D3, D9)."""
    start, end = period()
    f = {"from": start.isoformat(), "to": end.isoformat()}
    token = demo[Role.ADMIN].token
    cases = [(g, "KEY", False) for g in GROUPINGS] + [(g, "REGISTRATIONS_SUBMITTED", True) for g in GROUPINGS]
    cases += [(["PARTNER"], by, d) for by in ORDERS for d in (False, True)]
    cases += [(["REGION", "MONTH"], "SOURCED_OPEN_PIPELINE", True), (["TYPE"], "REGISTRATIONS_APPROVED", False)]
    expected_by_grouping = {}
    for group_by, by, descending in cases:
        if tuple(group_by) not in expected_by_grouping:
            expected_by_grouping[tuple(group_by)] = await expected_metrics(start, end, group_by, today=now().date())
        expected = {k: v for k, v in expected_by_grouping[tuple(group_by)].items()}
        order = {"by": by, "direction": "DESC" if descending else "ASC"}
        rows = await all_pages(gql, token, f, group_by, order, 2)
        assert_same(keyed(rows, group_by), expected)
        keys = nonempty_keys(rows, group_by)
        assert len(keys) == len(set(keys)), "no group on two pages"
        want = expected_order({k: v for k, v in expected.items() if k in set(keys)}, group_by, by, descending)
        assert keys == want, (group_by, by, descending)


async def test_total_groups_counts_every_page(gql, demo):
    start, end = period()
    f = {"from": start.isoformat(), "to": end.isoformat()}
    token = demo[Role.ADMIN].token
    for group_by in (["PARTNER"], ["REGION", "TYPE"], ["MONTH"], []):
        rows = await all_pages(gql, token, f, group_by, None, 3)
        body = await gql(TOTAL, {"f": f, "g": group_by, "first": 1}, token=token)
        assert body["data"]["channelMetrics"]["totalGroups"] == len(rows) > 0
        assert len(body["data"]["channelMetrics"]["rows"]) == 1


async def test_the_default_page_and_its_bounds(gql, demo):
    start, end = period()
    f = {"from": start.isoformat(), "to": end.isoformat()}
    token = demo[Role.ADMIN].token
    body = await gql(PAGE, {"f": f, "g": ["PARTNER"]}, token=token)
    everything = await all_pages(gql, token, f, ["PARTNER"], None, 1000)
    assert body["data"]["channelMetrics"]["rows"] == everything  # under the default page size of 100
    for first in (0, 1001):
        body = await gql(PAGE, {"f": f, "g": ["PARTNER"], "first": first}, token=token, errors=True)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_PAGE_SIZE"
        assert body["errors"][0]["extensions"]["field"] == ["first"]


async def test_a_cursor_is_a_position_in_one_list_only(gql, demo):
    start, end = period()
    f = {"from": start.isoformat(), "to": end.isoformat()}
    token = demo[Role.ADMIN].token
    first = await gql(PAGE, {"f": f, "g": ["PARTNER"], "first": 2}, token=token)
    cursor = first["data"]["channelMetrics"]["pageInfo"]["endCursor"]
    again = await gql(PAGE, {"f": f, "g": ["PARTNER"], "first": 2, "after": cursor}, token=token)
    twice = await gql(PAGE, {"f": f, "g": ["PARTNER"], "first": 2, "after": cursor}, token=token)
    assert again["data"] == twice["data"] and again["data"]["channelMetrics"]["rows"] != first["data"]["channelMetrics"]["rows"]
    other_lists = [{"g": ["REGION"]}, {"o": {"by": "REGISTRATIONS_SUBMITTED", "direction": "DESC"}},
                   {"f": f | {"regions": ["AMER"]}}]
    for change in other_lists + [{"after": cursor[:-3]}, {"after": "b2Zmc2V0OjI"}]:
        variables = {"f": f, "g": ["PARTNER"], "first": 2, "after": cursor} | change
        body = await gql(PAGE, variables, token=token, errors=True)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", change


async def test_a_partner_user_pages_through_their_own_row_only(gql, demo):
    start, end = period()
    f = {"from": start.isoformat(), "to": end.isoformat()}
    partner_user = demo[Role.PARTNER_USER]
    me = await User.select(User.partner).where(User.email == partner_user.email).first()
    for by in ORDERS:
        for direction in ("ASC", "DESC"):
            rows = await all_pages(gql, partner_user.token, f, ["PARTNER"], {"by": by, "direction": direction}, 1)
            assert [r["partnerId"] for r in rows] == [gid(me["partner"])]
    body = await gql(TOTAL, {"f": f, "g": ["PARTNER", "MONTH"]}, token=partner_user.token)
    expected = await expected_metrics(start, end, ["PARTNER", "MONTH"], today=now().date(), partner_id=me["partner"])
    assert body["data"]["channelMetrics"]["totalGroups"] == len(expected)


@pytest.mark.parametrize("by", ["KEY", "SOURCED_OPEN_PIPELINE"])
async def test_statements_do_not_grow_with_groups_nor_page_size(gql, demo, by):
    """Grouped by partner: 1, 4 and dozens of groups, pages of 1, 4 and 100, the same count of
    statements (and one more than without a partner dimension: the ranking)."""
    start, end = period()
    f = {"from": start.isoformat(), "to": end.isoformat()}
    token = demo[Role.ADMIN].token
    await gql(PAGE, {"f": f}, token=token)  # the exchange rates, read once into the process's cache
    one = await gql(PAGE, {"f": f, "g": ["PARTNER"], "first": 1}, token=token)
    one_partner = f | {"partnerIds": [one["data"]["channelMetrics"]["rows"][0]["partnerId"]]}
    counts, others = {}, set()
    for filter_, group_by in ((one_partner, ["PARTNER"]), (f, ["PARTNER"]), (f, ["PARTNER", "MONTH", "REGION"]),
                              (f, ["REGION"]), (f, ["MONTH", "TYPE"])):
        counted = await gql(TOTAL, {"f": filter_, "g": group_by, "first": 1}, token=token)
        total = counted["data"]["channelMetrics"]["totalGroups"]
        for first in (1, 4, 100):
            body = await gql(PAGE, {"f": filter_, "g": group_by, "first": first,
                                    "o": {"by": by, "direction": "DESC"}}, token=token)
            if "PARTNER" in group_by:
                counts[(total, first)] = body["extensions"]["sqlStatements"]
            else:
                others.add(body["extensions"]["sqlStatements"])
    assert {total for total, _ in counts} >= {1, 4} and max(total for total, _ in counts) > 12, counts
    assert len(set(counts.values())) == 1, counts
    assert len(others) == 1 and set(counts.values()) == {others.pop() + 1}
