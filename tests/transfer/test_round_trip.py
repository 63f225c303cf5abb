"""`cosell export` (issue 35): import ∘ export is the identity on the demo world; Parquet
keeps amounts exact; `--since` filters; the commands' exit statuses and report path."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq

from partners.demo import load_demo
from partners.infra.clock import now
from partners.opportunities.reseller import RuleSet
from partners.opportunities.tables import Opportunity
from partners.transfer.entities import BY_NAME, ENTITIES
from partners.transfer.exporting import export
from partners.transfer.runner import run_import
from plugins.manager import get_plugin_manager
from server.testing import truncate_all

ROOT = Path(__file__).resolve().parents[2]
SALESFORCE = Path(__file__).parent / "data" / "salesforce"


async def export_all(directory: Path) -> dict[str, str]:
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for entity in ENTITIES:
        with open(directory / entity.file_name, "w", newline="", encoding="utf-8") as handle:
            await export(entity, handle)
        files[entity.name] = (directory / entity.file_name).read_text(encoding="utf-8")
    return files


async def test_import_of_an_export_is_the_identity_on_the_demo_world(cosell_client, cosell_database_url, tmp_path):
    await load_demo()
    first = await export_all(tmp_path / "first")
    assert all(text.count("\n") > 1 for text in first.values()), "every entity of the demo world has rows"

    await truncate_all(cosell_database_url)  # a fresh database
    result = await run_import([tmp_path / "first"], rules=RuleSet(get_plugin_manager(allow=())),
                              report_path=tmp_path / "report.csv")
    assert result.rejected == 0, (tmp_path / "report.csv").read_text()
    second = await export_all(tmp_path / "second")
    for name in first:  # the same files: records, references (by external id), amounts, children, order
        assert second[name] == first[name], name


async def test_parquet_keeps_amounts_exact_and_types_columns(cosell_client, tmp_path):
    await load_demo()
    path = tmp_path / "opportunities.parquet"
    with open(path, "wb") as handle:
        count = await export(BY_NAME["opportunities"], handle, "parquet")
    table = pq.read_table(path)
    assert table.num_rows == count > 0
    assert str(table.schema.field("amount").type) == "string"  # exact decimal strings, beside `currency`
    assert str(table.schema.field("sales_qualified").type) == "bool"
    assert str(table.schema.field("created_at").type) == "timestamp[us, tz=UTC]"
    stored = await Opportunity.select(Opportunity.amount).order_by(Opportunity.id)
    rows = table.to_pylist()
    assert [r["amount"] for r in rows] == [None if s["amount"] is None else str(s["amount"]) for s in stored]
    assert any(r["currency"] == "BHD" and len(r["amount"].split(".")[1]) == 3 for r in rows)  # three decimals


async def test_since_exports_only_newer_records(cosell_client, tmp_path):
    await load_demo()
    everything, recent = io.StringIO(), io.StringIO()
    total = await export(BY_NAME["opportunities"], everything)
    newer = await export(BY_NAME["opportunities"], recent, since=now() - timedelta(days=60))
    assert 0 < newer < total
    assert recent.getvalue().splitlines()[0] == everything.getvalue().splitlines()[0]  # the same header


def cosell(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_commands(cosell_database_url, tmp_path):
    import asyncio

    asyncio.run(truncate_all(cosell_database_url))
    env = {**os.environ, "DATABASE_URL": cosell_database_url, "COSELL_VAR_DIR": str(tmp_path / "var"),
           "PYTHONPATH": str(ROOT)}
    dry = cosell("import", "--from", "salesforce", str(SALESFORCE), "--dry-run", "--no-progress", env=env)
    assert dry.returncode == 1, dry.stderr  # rows were rejected
    report = next(line for line in dry.stdout.splitlines() if line.startswith("Rejected rows: 7; report: "))
    assert Path(report.split("report: ")[1]).is_file()
    assert "nothing was" in dry.stdout
    listing = cosell("export", "accounts", env=env)
    assert listing.returncode == 0 and listing.stdout.count("\n") == 1  # the header only: the dry run wrote nothing

    run = cosell("import", "--from", "salesforce", str(SALESFORCE), "--report", str(tmp_path / "r.csv"), env=env)
    assert run.returncode == 1 and (tmp_path / "r.csv").read_text().count("\n") == 8  # header + 7 rejections
    assert "rows/s" in run.stderr  # the progress bars
    out = tmp_path / "accounts.parquet"
    assert cosell("export", "accounts", "--format", "parquet", "--output", str(out), env=env).returncode == 0
    assert pq.read_table(out).num_rows == 6
    missing = cosell("import", str(tmp_path / "nowhere"), env=env)
    assert missing.returncode == 2 and "no such file" in missing.stderr
