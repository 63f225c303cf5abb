"""`cosell import --from salesforce` (issue 35) on a hand-written Salesforce-shaped export
(tests/transfer/data/salesforce/) with bad rows: the good rows land through the domain's
rules, the report names each bad one, a second run changes nothing."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from partners.infra.tables import AuditEntry
from partners.opportunities.reseller import RuleSet
from partners.people.identity import issue_token
from partners.people.tables import Partner, User
from partners.accounts.tables import Account
from partners.transfer.entities import IMPORT_ORDER
from partners.transfer.exporting import export
from partners.transfer.runner import run_import
from plugins.manager import get_plugin_manager

DATA = Path(__file__).parent / "data" / "salesforce"
RULES = RuleSet(get_plugin_manager(allow=()))

# (file, line, external id, field, code, rule) of every bad row of the export.
EXPECTED_REJECTIONS = {
    ("Account.csv", "8", "001X00000000001", "parent", "UNKNOWN_REFERENCE", ""),  # unknown parent
    ("Account.csv", "9", "", "", "NOT_UTF8", ""),  # a Latin-1 line
    ("Account.csv", "10", "001C00000000001", "external_id", "DUPLICATE_EXTERNAL_ID", ""),
    ("Account.csv", "11", "001X00000000002", "name", "FIELD_TOO_LONG", ""),  # 360 characters
    ("Contact.csv", "5", "003X00000000001", "account", "UNKNOWN_REFERENCE", ""),
    ("Opportunity.csv", "4", "006R00000000001", "account", "RESELLER_ACCOUNT", "R1"),  # a reseller's account
    ("registrations.csv", "3", "a0R000000000002", "status", "ALREADY_APPROVED", "P5"),  # a second approval
}


def rejections(report: Path) -> set[tuple[str, ...]]:
    with open(report, encoding="utf-8") as handle:
        return {(Path(r["file"]).name, r["line"], r["external_id"], r["field"], r["code"], r["rule"])
                for r in csv.DictReader(handle)}


async def import_salesforce(tmp_path: Path, name: str, directory: Path = DATA, **kwargs):
    return await run_import([directory], rules=RULES, report_path=tmp_path / f"{name}.csv", origin="salesforce",
                            **kwargs)


async def export_everything() -> dict[str, str]:
    out = {}
    for entity in IMPORT_ORDER:
        stream = io.StringIO()
        await export(entity, stream)
        out[entity.name] = stream.getvalue()
    return out


def counts(result) -> dict[str, tuple[int, int, int, int, int]]:
    return {name: (t.read, t.created, t.updated, t.unchanged, t.rejected) for name, t in result.tallies.items()}


async def test_good_rows_land_and_the_report_names_each_bad_one(gql, world, tmp_path):
    result = await import_salesforce(tmp_path, "first")

    assert rejections(result.report) == EXPECTED_REJECTIONS
    assert counts(result) == {
        "partners": (2, 2, 0, 0, 0), "users": (4, 4, 0, 0, 0), "accounts": (10, 6, 0, 0, 4),
        "contacts": (4, 3, 0, 0, 1), "opportunities": (4, 3, 0, 0, 1), "registrations": (3, 2, 0, 0, 1),
    }
    # What a channel team sees of it, through the API.
    body = await gql("""{ accounts(first: 50) { nodes { name segment type } }
        opportunities(first: 50) { nodes { name stage amountMoney { amount currency }
            partners { role isPrimary partner { name } } contacts { isPrimary contact { name } } } }
        dealRegistrations(first: 50) { nodes { status partner { name } } } }""", token=world.tokens["admin"])
    accounts = {a["name"]: a for a in body["data"]["accounts"]["nodes"]}
    assert {name: accounts[name]["segment"] for name in ("Acme Corp", "Acme Europe", "Globex", "Globex Manchester")} \
        == {"Acme Corp": "LARGE", "Acme Europe": "LARGE",  # A1 + A2: the hierarchy's largest
            "Globex": "MID_MARKET", "Globex Manchester": "MID_MARKET"}  # the child came before its parent
    assert accounts["Northwind Resellers"]["type"] == "RESELLER"
    assert "Orphan Ltd" not in accounts and "Acme Corp (again)" not in accounts
    opportunities = {o["name"]: o for o in body["data"]["opportunities"]["nodes"]}
    # R8 chose the only authorized reseller as primary and R2 put its nickname in front.
    acme = opportunities["Northwind - Acme Corp- 50 Premium"]
    assert acme["partners"] == [{"role": "RESELLER", "isPrimary": True, "partner": {"name": "Northwind Resellers"}}]
    assert acme["contacts"] == [{"isPrimary": True, "contact": {"name": "Alice Buyer"}}]
    assert acme["stage"] == "NEGOTIATING"
    globex = opportunities["Contoso - Globex- 25 Ultimate"]
    assert globex["amountMoney"] == {"amount": "12000.50", "currency": "EUR"}  # exact
    assert "Northwind internal deal" not in opportunities  # R1
    statuses = sorted((r["status"], r["partner"]["name"]) for r in body["data"]["dealRegistrations"]["nodes"])
    assert statuses == [("APPROVED", "Northwind Resellers"), ("SUBMITTED", "Contoso Distribution")]  # P5

    # The imported partner user sees only the deal their partner resells (R9).
    pat = await User.select(User.id).where(User.email == "pat.partner@northwind.example").first()
    _, token = await issue_token(pat["id"])
    seen = await gql("{ opportunities(first: 50) { nodes { name } } accounts { totalCount } }", token=token)
    assert seen["data"]["opportunities"]["nodes"] == [{"name": "Northwind - Acme Corp- 50 Premium"}]
    assert seen["data"]["accounts"]["totalCount"] == 0

    # One audit row for the run, with its counts (no row per record).
    entries = await AuditEntry.select().where(AuditEntry.mutation == "cosell import")
    assert len(entries) == 1 and entries[0]["result"] == "USER_ERROR"
    assert '"created": 6' in entries[0]["input_summary"] and "RESELLER_ACCOUNT" in entries[0]["error_codes"]


async def test_a_second_run_changes_nothing_and_a_changed_row_is_updated(gql, world, tmp_path):
    await import_salesforce(tmp_path, "first")
    before = await export_everything()

    again = await import_salesforce(tmp_path, "second")
    assert all(created == updated == 0 for _, created, updated, _, _ in counts(again).values())
    assert rejections(again.report) == EXPECTED_REJECTIONS
    assert await export_everything() == before
    assert await Account.count() == 6 + 0 and await Partner.count() == 2 + 2  # the world's two partners too

    changed = tmp_path / "changed"
    shutil.copytree(DATA, changed)
    text = (changed / "Opportunity.csv").read_text(encoding="utf-8").replace("12000.50", "12500.00")
    (changed / "Opportunity.csv").write_text(text, encoding="utf-8")
    third = await import_salesforce(tmp_path, "third", changed)
    assert counts(third)["opportunities"] == (4, 0, 1, 2, 1)
    body = await gql("{ opportunities(first: 50) { nodes { name amountMoney { amount } } } }",
                     token=world.tokens["admin"])
    amounts = {o["name"]: o["amountMoney"]["amount"] for o in body["data"]["opportunities"]["nodes"]}
    assert amounts["Contoso - Globex- 25 Ultimate"] == "12500.00"


async def test_dry_run_checks_everything_and_writes_nothing(world, tmp_path):
    result = await import_salesforce(tmp_path, "dry", dry_run=True)
    assert result.dry_run
    assert rejections(result.report) == EXPECTED_REJECTIONS  # the P5 refusal needs the first approval "written"
    assert counts(result)["accounts"] == (10, 6, 0, 0, 4)
    assert await Account.count() == 0
    assert await Partner.count() == 2  # the world's own
    assert not await AuditEntry.exists().where(AuditEntry.mutation == "cosell import")
