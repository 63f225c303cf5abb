"""Background jobs at scale (issue 38): a job works through a backlog in bounded batches in
one run, and stops between batches when asked (shutdown), leaving the rest for its next run."""

from datetime import datetime, timedelta, timezone

from partners.opportunities.reseller import RuleSet
from partners.registrations.expire import expire_due
from partners.registrations.tables import DealRegistration
from tests.schema.registrations import approved, register
from tests.schema.sales import pk

STATUSES = "query($f: DealRegistrationFilter) { dealRegistrations(first: 50, filter: $f) { nodes { id } } }"


async def _ids(gql, world, status: str) -> set[str]:
    body = await gql(STATUSES, {"f": {"status": status}}, token=world.tokens["cm_amer"])
    return {n["id"] for n in body["data"]["dealRegistrations"]["nodes"]}


async def _three_past_expiry(gql, world) -> set[str]:
    ids = set()
    for name in ("Initech", "Globex", "Umbrella"):
        reg = await approved(gql, world, (await register(gql, world, customer={"prospect": {"name": name}}))["id"])
        ids.add(reg["id"])
    past = datetime.now(timezone.utc) - timedelta(minutes=1)
    await DealRegistration.update({DealRegistration.expires_at: past}).where(
        DealRegistration.id.is_in([pk(i) for i in ids]))
    return ids


async def test_p6_expiry_works_through_a_backlog_in_batches_in_one_run(gql, world, cosell_client):
    due = await _three_past_expiry(gql, world)
    assert await expire_due(RuleSet(cosell_client.app.state.plugins), limit=1) == 3
    assert await _ids(gql, world, "EXPIRED") == due
    assert await _ids(gql, world, "APPROVED") == set()


async def test_p6_expiry_stops_between_batches_when_asked_and_the_next_run_goes_on(gql, world, cosell_client):
    due = await _three_past_expiry(gql, world)
    rules = RuleSet(cosell_client.app.state.plugins)
    asked = []

    def should_stop() -> bool:  # shutdown arrives after the first batch
        asked.append(1)
        return len(asked) > 1

    assert await expire_due(rules, limit=1, should_stop=should_stop) == 1
    assert len(await _ids(gql, world, "EXPIRED")) == 1 and len(await _ids(gql, world, "APPROVED")) == 2
    assert await expire_due(rules, limit=1) == 2
    assert await _ids(gql, world, "EXPIRED") == due
