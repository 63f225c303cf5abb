"""The history rows carry their registration's partner, region and type (issue 36 item 2:
the channel metrics read a page's review changes from them): every writer fills them, the
workflow (the demo world, and the reviews of `demo`) and the import."""

from __future__ import annotations

from partners.opportunities.reseller import RuleSet
from partners.transfer.runner import run_import
from plugins.manager import get_plugin_manager
from server.testing import truncate_all
from tests.transfer.test_round_trip import export_all
from tests.demo_world import demo_world
from partners.registrations.tables import DealRegistration, DealRegistrationChange


async def assert_copies_match() -> int:
    registrations = {r["id"]: r for r in await DealRegistration.select(
        DealRegistration.id, DealRegistration.partner, DealRegistration.region, DealRegistration.registration_type)}
    changes = await DealRegistrationChange.select(
        DealRegistrationChange.registration, DealRegistrationChange.partner, DealRegistrationChange.region,
        DealRegistrationChange.registration_type)
    assert changes
    for c in changes:
        r = registrations[c["registration"]]
        assert (c["partner"], c["region"], c["registration_type"]) == (
            r["partner"], r["region"], r["registration_type"]), c
    return len(changes)


async def test_the_workflow_fills_the_history_copies(demo):
    assert await assert_copies_match() > 10


async def test_the_import_fills_the_history_copies(cosell_client, cosell_database_url, tmp_path):
    await demo_world()
    before = await assert_copies_match()
    await export_all(tmp_path / "export")
    await truncate_all(cosell_database_url)
    result = await run_import([tmp_path / "export"], rules=RuleSet(get_plugin_manager(allow=())),
                              report_path=tmp_path / "report.csv")
    assert result.rejected == 0, (tmp_path / "report.csv").read_text()
    assert await assert_copies_match() == before
