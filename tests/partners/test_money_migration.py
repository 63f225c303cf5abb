"""The issue 40 data migration (migrations/cosell_2026_12_07t15_00_01_000000.py) on rows
written as floats: a private database, migrated up to the migration before it, filled the
old way, then migrated to the end. Runs on the engine DATABASE_URL names (SQLite or
PostgreSQL), in a subprocess: Piccolo's migrations find their engine through piccolo_conf,
which reads DATABASE_URL once per process."""

import asyncio
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from partners.infra.engines import is_postgres_url
from server.testing import _pg_admin, _with_database

ROOT = Path(__file__).resolve().parents[2]
BEFORE = "2026-12-07T15:00:00:000000"

SCRIPT = r'''
import asyncio, contextlib, io, json, sys
from piccolo.apps.migrations.commands.forwards import run_forwards

async def main():
    from piccolo.engine import engine_finder
    engine = engine_finder()
    with contextlib.redirect_stdout(io.StringIO()):
        result = await run_forwards(app_name="cosell", migration_id=sys.argv[1])
    assert result.success, result.message
    for sql in [
        "INSERT INTO account (name, country, carr) VALUES ('Tokyo KK', 'JP', 1234.5)",
        "INSERT INTO account (name, country, carr) VALUES ('Boston Inc', 'US', 0.30000000000000004)",
        "INSERT INTO account (name, country, carr) VALUES ('Manama WLL', 'BH', 10.0005)",
        "INSERT INTO account (name, country, carr) VALUES ('Berlin GmbH', 'DE', 12.3)",
        "INSERT INTO opportunity (account, name, amount, net_arr, initial_iacv) VALUES (2, 'Boston deal', 1234.565, 0.1, NULL)",
        "INSERT INTO opportunity (account, name, amount) VALUES (1, 'Tokyo deal', 99.4)",
        "INSERT INTO deal_registration (account, opportunity, estimated_amount) VALUES (1, 2, 2000.5)",
        "INSERT INTO deal_registration (account, estimated_amount) VALUES (4, 7.125)",
        "INSERT INTO discount_policy (co_sell_rate, services_attach_rate, distributor_margin_rate) VALUES (15.0, 2.5, 0.1)",
    ]:
        await engine.run_ddl(sql)

async def read():
    from piccolo.engine import engine_finder
    engine = engine_finder()
    from partners.infra.engines import bind_engine
    bind_engine(engine)
    from partners.accounts.tables import Account
    from partners.discounts.tables import DiscountPolicy
    from partners.opportunities.tables import Opportunity
    from partners.registrations.tables import DealRegistration
    out = {
        "account": await Account.select(Account.id, Account.currency, Account.carr).order_by(Account.id),
        "opportunity": await Opportunity.select(Opportunity.id, Opportunity.currency, Opportunity.amount,
                                                Opportunity.net_arr, Opportunity.initial_iacv).order_by(Opportunity.id),
        "deal_registration": await DealRegistration.select(DealRegistration.id, DealRegistration.currency,
                                                           DealRegistration.estimated_amount).order_by(DealRegistration.id),
        "discount_policy": await DiscountPolicy.select(DiscountPolicy.co_sell_rate, DiscountPolicy.services_attach_rate,
                                                       DiscountPolicy.distributor_margin_rate),
    }
    print(json.dumps(out, default=str))

asyncio.run(main() if sys.argv[1] != "read" else read())
'''


@pytest.fixture
def private_database(cosell_database_url, tmp_path):
    """An empty database of its own, on the session's engine."""
    if is_postgres_url(cosell_database_url):
        name = f"cosell_migration_{uuid.uuid4().hex[:10]}"
        asyncio.run(_pg_admin(cosell_database_url, f'CREATE DATABASE "{name}"'))
        try:
            yield _with_database(cosell_database_url, name)
        finally:
            asyncio.run(_pg_admin(cosell_database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        yield f"sqlite:///{tmp_path / 'migration.sqlite3'}"


def test_float_amounts_become_exact_amounts_in_their_currency_rounded_half_up(private_database):
    def run(*args):
        done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "DATABASE_URL": private_database, "COSELL_LOG_JSON": "0"})
        assert done.returncode == 0, done.stderr
        return done

    run("-c", SCRIPT, BEFORE)  # the schema before issue 40's data migration, rows written as floats
    migrated = run("-m", "server.cli", "migrate")  # what an operator runs: the rounding is logged
    # issue 40's data migration and any later ones
    assert re.search(r"Applied \d+ migration\(s\)", migrated.stdout), migrated.stdout
    rows = json.loads(run("-c", SCRIPT, "read").stdout.strip().splitlines()[-1])
    assert [(r["currency"], r["carr"]) for r in rows["account"]] == [
        ("JPY", "1235"),  # 1234.5 yen: half up
        ("USD", "0.30"),  # the float 0.30000000000000004, read by its repr
        ("BHD", "10.001"),  # three decimals (fils)
        ("EUR", "12.30"),
    ]
    assert [(r["currency"], r["amount"], r["net_arr"], r["initial_iacv"]) for r in rows["opportunity"]] == [
        ("USD", "1234.57", "0.10", None), ("JPY", "99", None, None)]
    # A registration takes its opportunity's currency, else its account's.
    assert [(r["currency"], r["estimated_amount"]) for r in rows["deal_registration"]] == [
        ("JPY", "2001"), ("EUR", "7.13")]
    # Percentages are exact as meant, never rounded to a currency.
    assert rows["discount_policy"] == [{"co_sell_rate": "15", "services_attach_rate": "2.5",
                                        "distributor_margin_rate": "0.1"}]
    log = migrated.stderr
    assert "cosell.migrations [None] amount rounded to its currency's minor unit: account 1 carr:" in log
    assert "→ 1235 JPY" in log and "→ 1234.57 USD" in log and "→ 10.001 BHD" in log
    assert "account 4 carr" not in log  # 12.3 EUR did not move
