"""Importing a partner's P2 records (issue 35): the agreements and trainings of partners.csv
are what eligibility is computed from, so an imported AUTHORIZED partner may register deals
exactly when its file gives it an agreement in force and a current foundations completion."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone

from partners.opportunities.reseller import RuleSet
from partners.people.tables import Partner
from partners.program.eligibility import partner_violations
from partners.program.tables import PartnerAgreement, PartnerTraining
from partners.transfer.entities import BY_NAME
from partners.transfer.exporting import export
from partners.transfer.runner import run_import
from plugins.manager import get_plugin_manager



def today():
    """The server's today (UTC), asked per use: a module constant goes stale when a run crosses midnight."""
    return datetime.now(timezone.utc).date()




def _partner(key: str, agreements: list, trainings: list) -> dict:
    return {"external_id": key, "name": f"Partner {key}", "nickname": key, "partner_type": "RESELLER",
            "track": "SELECT", "status": "AUTHORIZED", "region": "AMER", "country": "US",
            "agreements": json.dumps(agreements), "trainings": json.dumps(trainings)}


def _write(path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


async def _import(directory, tmp_path):
    return await run_import([directory], rules=RuleSet(get_plugin_manager(allow=())),
                            report_path=tmp_path / "report.csv")


async def _violations(name: str) -> list[str]:
    row = await Partner.select().where(Partner.name == name).first()
    return [v.code for v in await partner_violations(row, today())]


async def test_p2_imported_agreements_and_trainings_make_a_partner_eligible(cosell_client, tmp_path):
    signed = (today() - timedelta(days=40)).isoformat()
    agreement = {"version": "2026.1", "signed_on": signed, "signer_name": "Ada Signer"}
    foundations = {"person_name": "Tom Trained", "person_email": "tom@p1.test", "course": "PARTNER_FOUNDATIONS",
                   "completed_on": signed}
    ended = {**agreement, "ended_on": (today() - timedelta(days=1)).isoformat(), "end_reason": "Terminated"}
    sales_only = {**foundations, "course": "SALES_ACCREDITATION"}
    data = tmp_path / "in"
    data.mkdir()
    _write(data / "partners.csv", [_partner("P1", [agreement], [foundations]),
                                   _partner("P2", [ended], [sales_only]),
                                   _partner("P3", [agreement], [{**foundations, "course": "ASTROLOGY"}])])
    result = await _import(data, tmp_path)

    assert await _violations("Partner P1") == []
    assert await _violations("Partner P2") == ["AGREEMENT_NOT_SIGNED", "NO_TRAINED_EMPLOYEE"]
    report = list(csv.DictReader(open(tmp_path / "report.csv", encoding="utf-8")))
    assert [(r["external_id"], r["field"], r["code"], r["rule"]) for r in report] == [
        ("P3", "trainings", "INVALID_CHOICE", "P2")]
    assert result.rejected == 1
    assert await PartnerAgreement.count() == 2 and await PartnerTraining.count() == 2

    # A second run changes nothing; the export gives the records back as the file had them.
    again = await _import(data, tmp_path)
    assert again.rejected == 1 and await PartnerAgreement.count() == 2
    out = tmp_path / "partners.csv"
    with open(out, "w", newline="", encoding="utf-8") as handle:
        await export(BY_NAME["partners"], handle)
    exported = {r["external_id"]: r for r in csv.DictReader(open(out, encoding="utf-8"))}
    assert json.loads(exported["P1"]["agreements"]) == [{**agreement, "signer_email": "", "ended_on": None,
                                                        "end_reason": ""}]
    assert json.loads(exported["P1"]["trainings"]) == [{**foundations, "expires_on": None}]
