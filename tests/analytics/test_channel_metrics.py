"""channelMetrics (issue 36) on the demo world plus registrations reviewed over days and
weekends: every figure equals what tests/analytics/expected.py computes from the rows, for
every groupBy; a partner user reads only their partner's figures; statements do not grow
with the number of groups (P4, P11, D3, D9)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from partners.accounts.tables import Account
from partners.demo.people import USER_COLUMNS, as_principal
from partners.infra.clock import now
from partners.opportunities import reseller
from partners.people.enums import Role
from partners.people.tables import User
from partners.registrations import approve as approve_module, expire, records, submit
from partners.registrations.approve import approve
from partners.registrations.enums import DealRegistrationType
from partners.registrations.rules import Prospect, Registration, Resubmission
from partners.registrations.submit import advance_review, deny, register, resubmit, return_to_partner, withdraw
from plugins.manager import get_plugin_manager
from tests.analytics.expected import expected_metrics, gid
from tests.demo_world import demo_world

UTC = timezone.utc
ROW = """partnerId partnerName region track type month quarter registrationsSubmitted registrationsApproved
  registrationsDenied registrationsReturned registrationsWithdrawn registrationsExpired approvalRate
  timeToFirstReview { count medianHours p90Hours missedTarget }
  timeToDecision { count medianHours p90Hours missedTarget }
  sourcedOpenPipeline { amount currency } sourcedWonNetArr { amount currency } opportunitiesWon opportunitiesLost
  winRate tasksDone tasksOverdue leadsShared leadsAcceptedInTime leadsActedOnInTime leadsRecalled casesOpened
  casesPickedUpInTime casesClosedInTime"""
QUERY = """query($f: ChannelMetricsFilter!, $g: [ChannelMetricsDimension!]) {
  channelMetrics(filter: $f, groupBy: $g) { currency convertedOn rows { %s } } }""" % ROW
GROUPINGS = [[], ["PARTNER"], ["REGION"], ["TRACK"], ["TYPE"], ["MONTH"], ["QUARTER"], ["PARTNER", "MONTH"],
             ["REGION", "TRACK", "TYPE", "QUARTER"]]
FIELDS = {"PARTNER": ("partnerId", "partnerName"), "REGION": ("region",), "TRACK": ("track",), "TYPE": ("type",),
          "MONTH": ("month",), "QUARTER": ("quarter",)}


class Clock:
    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        # Unset, it is the domain's clock, so the demo world loaded under it keeps its past
        # review times (clock_at) and equals the one other tests restore (tests/demo_world.py).
        return self.at or now()


@pytest.fixture
def clock(monkeypatch):
    """The registrations' clock (partners.infra.clock.now as each flow imported it)."""
    c = Clock()
    for module in (submit, approve_module, records, expire):
        monkeypatch.setattr(module, "now", c)
    return c


def monday_before(days: int) -> datetime:
    day = now().date() - timedelta(days=days)
    return datetime.combine(day - timedelta(days=day.weekday()), time(0), tzinfo=UTC)


async def reviewed_over_days(clock: Clock) -> None:
    """Registrations submitted and reviewed at chosen times: evenings, a weekend, a return
    and resubmission (P4 clocks restart), within and past the 2 h / 8 h targets."""
    rules = reseller.RuleSet(get_plugin_manager(allow=()))
    admin = as_principal(await User.select(*USER_COLUMNS).where(User.role == Role.ADMIN.value).first())
    ae = await User.select(User.id).where(User.role == Role.ACCOUNT_EXECUTIVE.value).order_by(User.id).first()
    portal = [as_principal(r) for r in await User.select(*USER_COLUMNS).where(
        User.role == Role.PARTNER_USER.value).order_by(User.id)]
    monday = monday_before(21)
    friday_before = monday - timedelta(days=3)

    async def new(at: datetime, who: int, name: str) -> int:
        clock.at = at
        row = await register(portal[who], Registration(
            registration_type=DealRegistrationType.REFERRAL if who % 2 else DealRegistrationType.RESALE,
            products=[f"metrics-{name}"], edition="Premium", seats=10, notes="",
            prospect=Prospect(name=f"Metrics Customer {name}", website=f"{name}.metrics.example")))
        return row["id"]

    async def at(when: datetime, step, *args):
        clock.at = when
        return await step(*args)

    h = timedelta(hours=1)
    r1 = await new(friday_before + 16 * h, 0, "one")  # Friday 16:00
    await at(monday + 10.5 * h, advance_review, admin, r1)  # 2.5 working hours: late (P4)
    await at(monday + 11 * h, advance_review, admin, r1)
    await at(monday + 24 * h + 10 * h, approve, admin, rules, r1, ae["id"], "")  # 10 h: late
    r2 = await new(monday + 9.25 * h, 1, "two")
    await at(monday + 10 * h, deny, admin, r2, "Direct deal.")  # 0.75 h, in time
    r3 = await new(monday + 18 * h, 2, "three")  # after hours
    await at(monday + 24 * h + 9.5 * h, return_to_partner, admin, r3, "Which unit?")  # 0.5 h
    await at(monday + 24 * h + 12 * h, resubmit, portal[2], r3, Resubmission(notes="The platform team."))
    await at(monday + 48 * h + 9 * h, advance_review, admin, r3)  # 5 h since resubmission: late
    await at(monday + 48 * h + 9.5 * h, advance_review, admin, r3)
    await at(monday + 48 * h + 16 * h, approve, admin, rules, r3, ae["id"], "")  # 9.5 h: late
    r4 = await new(monday + 5 * 24 * h + 11 * h, 3, "four")  # Saturday
    await at(monday + 7 * 24 * h + 8 * h, withdraw, portal[3], r4, "Postponed.")
    r5 = await new(monday + 7 * 24 * h + 13 * h, 0, "five")
    await at(monday + 7 * 24 * h + 13.5 * h, advance_review, admin, r5)  # 0.5 h
    clock.at = None
    assert await Account.count() > 0


def figures(row: dict) -> dict:
    out = {k: v for k, v in row.items() if k not in sum(FIELDS.values(), ())}
    out["sourcedOpenPipeline"] = row["sourcedOpenPipeline"]["amount"]
    out["sourcedWonNetArr"] = row["sourcedWonNetArr"]["amount"]
    return out


def is_empty(f: dict) -> bool:
    for value in f.values():
        if isinstance(value, dict):
            if value["count"] or value["missedTarget"]:
                return False
        elif value not in (0, None, "0.00"):
            return False
    return True


def keyed(rows: list[dict], group_by: list[str]) -> dict:
    out = {}
    for row in rows:
        f = figures(row)
        if not is_empty(f):
            out[tuple(row[name] for dim in group_by for name in FIELDS[dim])] = f
    return out


def assert_same(actual: dict, expected: dict) -> None:
    expected = {k: v for k, v in expected.items() if not is_empty(v)}
    assert set(actual) == set(expected), (sorted(map(str, actual)), sorted(map(str, expected)))
    for key, want in expected.items():
        got = actual[key]
        for name, value in want.items():
            if isinstance(value, dict):
                for sub, v in value.items():
                    assert got[name][sub] == pytest.approx(v, abs=1e-6), (key, name, sub, got[name], value)
            elif isinstance(value, float):
                assert got[name] == pytest.approx(value), (key, name)
            else:
                assert got[name] == value, (key, name, got[name], value)


@pytest.fixture
async def demo(gql, clock):
    logins = await demo_world()
    await reviewed_over_days(clock)
    return {login.role: login for login in logins} | {"logins": logins}


def period() -> tuple[date, date]:
    today = now().date()
    return today - timedelta(days=400), today + timedelta(days=30)


async def test_every_grouping_equals_the_figures_computed_from_the_rows(gql, demo):
    """P4 durations and misses, P11 and D9 in time, D3 overdue, sourced pipeline: all groupings."""
    start, end = period()
    variables = {"f": {"from": start.isoformat(), "to": end.isoformat()}}
    seen_late = False
    for group_by in GROUPINGS:
        body = await gql(QUERY, variables | {"g": group_by}, token=demo[Role.ADMIN].token)
        result = body["data"]["channelMetrics"]
        assert result["currency"] == "USD" and result["convertedOn"] == min(end, now().date()).isoformat()
        expected = await expected_metrics(start, end, group_by, today=now().date())
        assert_same(keyed(result["rows"], group_by), expected)
        seen_late |= any(r["timeToDecision"]["missedTarget"] for r in result["rows"])
    assert seen_late, "the scenario has decisions past the P4 target"


async def test_filters_narrow_the_rows(gql, demo):
    start, end = period()
    body = await gql(QUERY, {"f": {"from": start.isoformat(), "to": end.isoformat(), "regions": ["AMER"],
                                   "types": ["RESALE"]}, "g": ["REGION", "TYPE"]}, token=demo[Role.ADMIN].token)
    rows = body["data"]["channelMetrics"]["rows"]
    assert rows and {(r["region"], r["type"]) for r in rows} == {("AMER", "RESALE")}
    assert all(r["tasksDone"] == r["leadsShared"] == r["casesOpened"] == 0 for r in rows)


async def test_a_partner_user_reads_only_their_partners_figures(gql, demo):
    """Scoping: a partner user's rows are their own partner's figures, equal to staff's for that partner."""
    start, end = period()
    partner_user = demo[Role.PARTNER_USER]
    me = await User.select(User.partner).where(User.email == partner_user.email).first()
    others = await User.select(User.partner).where(User.partner.is_not_null() & (User.partner != me["partner"]))
    for group_by in (["PARTNER"], ["REGION", "MONTH"], []):
        f = {"from": start.isoformat(), "to": end.isoformat()}
        mine = (await gql(QUERY, {"f": f, "g": group_by}, token=partner_user.token))["data"]["channelMetrics"]["rows"]
        expected = await expected_metrics(start, end, group_by, today=now().date(), partner_id=me["partner"])
        assert_same(keyed(mine, group_by), expected)
        if group_by == ["PARTNER"]:
            assert len(mine) == 1
        # Asking for other partners by id does not widen the scope.
        f["partnerIds"] = [gid(o["partner"]) for o in others]
        theirs = (await gql(QUERY, {"f": f, "g": group_by}, token=partner_user.token))["data"]["channelMetrics"]
        assert theirs["rows"] == []


async def test_statements_do_not_grow_with_the_number_of_groups(gql, demo):
    """Grouped by partner, one ranking statement more than otherwise (it picks the page's
    partners); neither count grows with the groups (partners.analytics.ranking)."""
    start, end = period()
    variables = {"f": {"from": start.isoformat(), "to": end.isoformat()}}
    # A first request also reads the exchange rates into the process's cache (partners.money.rates).
    await gql(QUERY, variables, token=demo[Role.ADMIN].token)
    counts = {}
    for group_by in ([], ["REGION"], ["REGION", "MONTH", "TYPE"], ["PARTNER"], ["PARTNER", "MONTH", "REGION"]):
        body = await gql(QUERY, variables | {"g": group_by}, token=demo[Role.ADMIN].token)
        counts[(tuple(group_by), len(body["data"]["channelMetrics"]["rows"]))] = body["extensions"]["sqlStatements"]
    by_partner = {n for (g, _), n in counts.items() if "PARTNER" in g}
    others = {n for (g, _), n in counts.items() if "PARTNER" not in g}
    assert len(counts) == 5 and len({rows for _, rows in counts}) == 5, counts
    assert len(by_partner) == 1 and len(others) == 1 and by_partner == {others.pop() + 1}, counts


async def test_a_period_must_be_ordered_and_bounded(gql, world):
    body = await gql(QUERY, {"f": {"from": "2030-02-01", "to": "2030-01-01"}}, token=world.tokens["admin"],
                     errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_PERIOD"
    body = await gql(QUERY, {"f": {"from": "2020-01-01", "to": "2030-01-01"}}, token=world.tokens["admin"],
                     errors=True)
    assert body["errors"][0]["extensions"]["code"] == "PERIOD_TOO_LONG"
    body = await gql(QUERY, {"f": {"from": "2030-01-01", "to": "2030-01-31"}}, errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
