"""A large, realistic world for the benchmarks (issue 11), on either engine.

    .venv/bin/python -m bench.generate                                   # SQLite: bench/var/bench.sqlite3
    .venv/bin/python -m bench.generate --database-url postgresql://postgres@127.0.0.1:5432/cosell_bench

At scale 1: 10,000 partners (with their directory lists), 100,000 accounts (90,000 end
customers in hierarchies of 1–7 accounts, 10,000 partner channel accounts, A5), 100,000
contacts, 100,000 opportunities (~130,000 contact links, ~80,000 team places), 300,000
deal registrations (~450,000 product lines, one history row each), 12,500 co-sell plans
with 50,000 tasks, ~250 staff users and one user per partner. Registrations per partner
follow a long tail (a few partners hold thousands); each end customer gets ~3 of them
from different partners over 6 products, so D2 conflicts are common, as in real review
queues. Every approved registration has its own opportunity with the registrant on its
team as primary DEAL_REGISTRANT (P5, R8).

Bulk load in one transaction: COPY on PostgreSQL, executemany on SQLite; the locator's
directory triggers are off during the load (as bench/locator.py does) and the locator
index rebuilds on its first request. `--scale 0.1` makes a tenth of everything.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.locator import CHILD_TABLES, PARTNER_COLUMNS, generate as generate_directory  # noqa: E402
from partners.accounts.enums import AccountType, ScreeningStatus, Segment
from partners.money.currencies import currency_of_country
from partners.demo import COMPANY_SUFFIX, COMPANY_WORDS, FIRST_NAMES, LAST_NAMES, PLACES, TITLES  # noqa: E402
from partners.demo.money import local, monthly_rates  # noqa: E402
from partners.infra.engines import is_postgres_url  # noqa: E402  (also registers Piccolo's SQLite adapters)
from partners.infra import row_counts  # noqa: E402
from partners.opportunities.enums import ContactRole, OpportunityPartnerRole, OpportunityStage, OpportunityType
from partners.people.enums import PartnerStatus, Region, Role
from partners.plans.enums import CoSellMotion, CoSellTaskSide, CoSellTaskStatus
from partners.registrations.enums import DealRegistrationStatus as S, DealRegistrationType
from partners.registrations.records import COPY_KEYS_SQL  # noqa: E402
from bench.review_history import CLOSED_STAGES, review_history as _review_history  # noqa: E402

BENCH_DB = Path(__file__).resolve().parent / "var" / "bench.sqlite3"
DEFAULT_URL = f"sqlite:///{BENCH_DB}"
PRODUCTS = ["premium", "ultimate", "dedicated", "duo-pro", "duo-enterprise", "security-addon"]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)

# Order of the load (parents first) and of the TRUNCATE (children first).
TABLES = (
    "partner", *CHILD_TABLES, "cosell_user", "partner_agreement", "partner_training", "account", "contact", "opportunity", "opportunity_contact",
    "opportunity_partner", "deal_registration", "deal_registration_product", "deal_registration_change",
    "cosell_plan", "cosell_task", "exchange_rate",
)


class Progress:
    """A one-line progress bar on stderr: rows written of the total, rate, elapsed."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.started = total, 0, time.perf_counter()

    def step(self, rows: int, label: str) -> None:
        self.done += rows
        frac = self.done / self.total if self.total else 1
        elapsed = time.perf_counter() - self.started
        bar = "#" * int(frac * 30)
        sys.stderr.write(f"\r[{bar:<30}] {frac:6.1%} {self.done:>10,} rows {elapsed:6.1f}s  {label:<28}")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")


def _table(name: str):
    from partners.infra.piccolo_app import APP_CONFIG

    return next(t for t in APP_CONFIG.table_classes if t._meta.tablename == name)


class Rows:
    """Rows of one table as tuples in the table's column order; columns not given take the
    column's default, so the generator names only what it varies."""

    def __init__(self, tablename: str) -> None:
        table = _table(tablename)
        self.name = tablename
        self.columns = [c._meta.db_column_name for c in table._meta.columns]
        self.defaults = {}
        for column in table._meta.columns:
            value = column.get_default_value() if hasattr(column, "get_default_value") else None
            self.defaults[column._meta.db_column_name] = value.value if isinstance(value, Enum) else value
        self.rows: list[tuple] = []

    def add(self, **values) -> int:
        row_id = values.setdefault("id", len(self.rows) + 1)
        for key, value in values.items():
            if isinstance(value, Enum):
                values[key] = value.value
        self.rows.append(tuple(values[c] if c in values else self.defaults[c] for c in self.columns))
        return row_id


def _company(rng: random.Random, i: int) -> str:
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)} {i} {rng.choice(COMPANY_SUFFIX)}"


def build(scale: float = 1.0, seed: int = 11) -> dict[str, Rows]:
    """Every row of the world, in memory (~2 GB of Python objects would be too much: tuples
    of plain values keep it near 1 GB at scale 1)."""
    rng = random.Random(seed)
    n_partners, n_accounts = int(10_000 * scale), int(100_000 * scale)
    n_opps, n_regs, n_tasks = int(100_000 * scale), int(300_000 * scale), int(50_000 * scale)
    out = {name: Rows(name) for name in TABLES if name not in ("partner", *CHILD_TABLES)}
    regions = list(Region)

    # Partners and their directory lists: the locator benchmark's generator.
    partners, children = generate_directory(n_partners, seed=seed)
    out["partner"] = Rows("partner")
    out["partner"].columns = list(PARTNER_COLUMNS)
    out["partner"].rows = partners
    for table, rows in children.items():
        out[table] = Rows(table)
        out[table].columns = ["id", "partner", "value"]
        out[table].rows = rows
    partner_region = {p[0]: p[9] for p in partners}
    authorized = [p[0] for p in partners if p[6] == PartnerStatus.AUTHORIZED.value]

    # Users: staff, then one partner user per partner (user id = staff count + partner id).
    users = out["cosell_user"]
    users.add(email="admin@bench.example", name="Bench Admin", role=Role.ADMIN, regions=[], created_at=NOW)
    cms = {r: [users.add(email=f"cm{i}.{r.value.lower()}@bench.example", name=f"CM {i} {r.value}",
                         role=Role.CHANNEL_MANAGER, regions=[r.value], created_at=NOW) for i in range(2)] for r in regions}
    aes = {r: [users.add(email=f"ae{i}.{r.value.lower()}@bench.example", name=f"AE {i} {r.value}",
                         role=Role.ACCOUNT_EXECUTIVE, regions=[r.value], created_at=NOW) for i in range(max(2, int(40 * scale)))]
           for r in regions}
    for i in range(max(1, int(20 * scale))):
        users.add(email=f"sdr{i}@bench.example", name=f"SDR {i}", role=Role.SDR, regions=[regions[i % 5].value], created_at=NOW)
    staff_count = len(users.rows)
    partner_user = {}
    for pid in range(1, n_partners + 1):
        partner_user[pid] = users.add(email=f"user@p{pid}.example", name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                                      role=Role.PARTNER_USER, partner=pid, regions=[partner_region[pid]], created_at=NOW)
    assert partner_user[1] == staff_count + 1
    # P2 is computed from the records (#18): an agreement and a foundations completion for
    # every partner whose row says it signed and has trained people.
    for p in partners:
        if p[7] is not None:
            out["partner_agreement"].add(partner=p[0], version="2026.1", signed_on=p[7].date(),
                                         signer_name="Bench Signer", recorded_at=NOW)
        if p[8]:
            out["partner_training"].add(partner=p[0], person_name="Bench Trainee", person_email=f"trainee@p{p[0]}.example",
                                        course="PARTNER_FOUNDATIONS", completed_on=NOW.date(), recorded_at=NOW)

    # Accounts: partner channel accounts (A5) first, then end customers in hierarchies (A2).
    accounts, contacts = out["account"], out["contact"]
    partner_contact = {}
    for pid in range(1, n_partners + 1):
        aid = accounts.add(name=f"{partners[pid - 1][1]} (partner)", account_type=AccountType.RESELLER,
                           region=partner_region[pid], partner=pid, created_at=NOW)
        partner_contact[pid] = contacts.add(account=aid, name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                                            email=f"sales@p{pid}.example", title="Partner Sales", created_at=NOW)
    customers: list[tuple[int, str, int]] = []  # (account id, region, contact id)
    # Issue 40: each account in its country's currency, its amounts too (USD figures converted
    # at the demo's reference rates: no extra draw, the same world as before otherwise).
    currency_of: dict[int, str] = {}
    country_currency = {c: currency_of_country(c, NOW.date()) for places in PLACES.values() for c, *_ in places}
    while len(accounts.rows) < n_accounts:
        region = rng.choice(regions)
        country = rng.choice(PLACES[region])[0]
        currency = country_currency[country]
        size = min(n_accounts - len(accounts.rows), rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 7]))
        employees = rng.choice([20, 80, 400, 1500, 5000, 30000])
        segment = Segment.LARGE if employees >= 2000 else Segment.MID_MARKET if employees >= 100 else Segment.SMB
        owner = rng.choice(aes[region])
        root = None
        for k in range(size):
            i = len(accounts.rows) + 1
            aid = accounts.add(
                name=_company(rng, i), website=f"https://c{i}.example", account_type=rng.choice(
                    [AccountType.PROSPECT, AccountType.CUSTOMER, AccountType.CUSTOMER, AccountType.FORMER_CUSTOMER]),
                parent=root, ultimate_parent=root or i, region=region, country=country, owner=owner,
                employees_datafox=employees if k == 0 else rng.randint(5, 500), segment=segment,
                currency=currency, carr=local(round(rng.uniform(0, 200_000), 2), currency), screening_status=rng.choices(
                    [ScreeningStatus.CLEAR, ScreeningStatus.PENDING, ScreeningStatus.YELLOW], [85, 10, 5])[0],
                created_at=NOW - timedelta(days=rng.randint(30, 2000)))
            root = root or aid
            currency_of[aid] = currency
            cid = contacts.add(account=aid, name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                               email=f"buyer@c{aid}.example", title=rng.choice(TITLES), created_at=NOW)
            customers.append((aid, region.value, cid))

    # Registrations: partners by a long tail (weight 1/rank^0.6), customers uniformly.
    ranked = authorized[:]
    rng.shuffle(ranked)
    weights = [1 / (rank + 1) ** 0.6 for rank in range(len(ranked))]
    reg_partners = rng.choices(ranked, weights, k=n_regs)
    statuses, status_weights = zip(*[
        (S.SUBMITTED, 10), (S.PENDING_SALES_REVIEW, 8), (S.PENDING_MANAGER_REVIEW, 7), (S.RETURNED, 3),
        (S.ON_HOLD, 4), (S.APPROVED, 20), (S.DENIED, 18), (S.WITHDRAWN, 8), (S.EXPIRED, 12), (S.CLOSED, 8),
        (S.DISSOLVED, 2)])
    reg_statuses = rng.choices(statuses, status_weights, k=n_regs)

    opps, opp_contacts, team = out["opportunity"], out["opportunity_contact"], out["opportunity_partner"]
    stages = list(OpportunityStage)
    closed_rng = random.Random(seed + 37)  # its own generator: the rest of the world is unchanged

    def add_opportunity(account: tuple[int, str, int], name: str, owner: int, stage=None) -> int:
        stage = stage or rng.choices(stages, [3, 8, 12, 10, 10, 8, 6, 4, 14, 12, 3, 1])[0]
        amount = round(rng.uniform(2_000, 250_000), 2)
        currency = currency_of[account[0]]
        oid = opps.add(account=account[0], name=name, opportunity_type=rng.choice(
            [OpportunityType.NEW_BUSINESS, OpportunityType.NEW_BUSINESS, OpportunityType.ADD_ON, OpportunityType.RENEWAL]),
            stage=stage, currency=currency, amount=local(amount, currency),
            net_arr=local(round(amount * 0.8, 2), currency),
            close_date=(NOW + timedelta(days=rng.randint(-200, 200))).date(), owner=owner,
            created_at=(created := NOW - timedelta(days=rng.randint(1, 400))),
            # Closed ones were closed after their creation (issue 36's win rate and won net ARR).
            closed_at=created + (NOW - created) * closed_rng.random() if stage in CLOSED_STAGES else None)
        opp_contacts.add(opportunity=oid, contact=account[2], role=rng.choice(
            [ContactRole.DECISION_MAKER, ContactRole.ECONOMIC_BUYER, ContactRole.TECHNICAL_BUYER]), is_primary=True)
        return oid

    regs, products, history = out["deal_registration"], out["deal_registration_product"], out["deal_registration_change"]
    # The review steps' times come from their own generator, so the rest of the world is the
    # same as before they were added (issue 36: the channel metrics' P4 review times).
    review_rng = random.Random(seed + 36)

    def rng_free_reviewer(region: str) -> int:
        return cms[Region(region)][0]
    approved: list[tuple[int, int, int]] = []  # (registration, opportunity, partner)
    for i in range(n_regs):
        pid, status = reg_partners[i], reg_statuses[i]
        account = rng.choice(customers)
        region = account[1]
        submitted = NOW - timedelta(days=rng.uniform(0, 240))
        reg_type = rng.choices(list(DealRegistrationType), [60, 20, 15, 5])[0]
        decided = submitted + timedelta(hours=rng.uniform(2, 30)) if status not in (
            S.SUBMITTED, S.PENDING_SALES_REVIEW, S.PENDING_MANAGER_REVIEW, S.WITHDRAWN) else None
        values = dict(
            partner=pid, registered_by=partner_user[pid], registration_type=reg_type, status=status,
            account=account[0], customer_matched=True, region=region, edition=rng.choice(["Premium", "Ultimate"]),
            seats=rng.randint(5, 2000),
            # D5: every seventh partner registers in euros, the others in the customer's currency.
            currency=(reg_currency := "EUR" if pid % 7 == 3 else currency_of[account[0]]),
            estimated_amount=local(round(rng.uniform(1_000, 300_000), 2), reg_currency),
            expected_close_date=(submitted + timedelta(days=rng.randint(30, 180))).date(),
            submitted_at=submitted, last_submitted_at=submitted, created_at=submitted,
            review_due_at=submitted + timedelta(hours=2) if status in (
                S.SUBMITTED, S.PENDING_SALES_REVIEW, S.PENDING_MANAGER_REVIEW) else None,
            decision_due_at=submitted + timedelta(hours=8), decided_at=decided,
            decided_by=rng.choice(cms[Region(region)]) if decided else None,
            reason="Not enough information" if status in (S.DENIED, S.RETURNED) else "",
        )
        if status is S.APPROVED and len(opps.rows) < n_opps:
            owner = rng.choice(aes[Region(region)])
            oid = add_opportunity(account, f"P{pid} - {_company(rng, account[0])}- {values['seats']} {values['edition']}", owner)
            values.update(opportunity=oid, assigned_ae=owner, approved_at=decided, expires_at=decided + timedelta(days=90))
        elif status is S.APPROVED:
            values["status"] = S.DENIED
        rid = regs.add(**values)
        if values.get("opportunity"):
            approved.append((rid, values["opportunity"], pid))
        for product in rng.sample(PRODUCTS, rng.choice([1, 1, 2])):
            products.add(registration=rid, product=product)
        history.add(registration=rid, event="SUBMIT", from_status=None, to_status=S.SUBMITTED,
                    changed_by=partner_user[pid], changed_at=submitted)
        _review_history(history, review_rng, rid, S(values["status"]), submitted, decided,
                        values.get("decided_by") or rng_free_reviewer(region), partner_user[pid], NOW)

    # The rest of the opportunities, direct or with a reseller; then the registrants' places.
    for oid_reg in approved:
        team.add(opportunity=oid_reg[1], partner=oid_reg[2], role=OpportunityPartnerRole.DEAL_REGISTRANT,
                 is_primary=True, created_at=NOW)
    while len(opps.rows) < n_opps:
        account = rng.choice(customers)
        oid = add_opportunity(account, f"{_company(rng, account[0])}- {rng.randint(5, 500)} Premium",
                              rng.choice(aes[Region(account[1])]))
        if rng.random() < 0.4:
            pid = rng.choices(ranked, weights)[0]
            team.add(opportunity=oid, partner=pid, role=OpportunityPartnerRole.RESELLER, is_primary=True, created_at=NOW)
            if rng.random() < 0.5:
                opp_contacts.add(opportunity=oid, contact=partner_contact[pid], role=ContactRole.INFLUENCER)  # R4

    # Co-sell plans on approved registrations' opportunities (D3), four tasks each (D4).
    plans, tasks = out["cosell_plan"], out["cosell_task"]
    for _, oid, pid in rng.sample(approved, min(len(approved), max(1, n_tasks // 4))):
        kickoff = (NOW - timedelta(days=rng.randint(0, 120))).date()
        plan_id = plans.add(opportunity=oid, partner=pid, kickoff_date=kickoff, goals="Close this quarter",
                            motion=rng.choice(list(CoSellMotion)), created_by=rng.choice(cms[Region(partner_region[pid])]),
                            created_at=NOW)
        for k in range(4):
            side = CoSellTaskSide.PARTNER if k % 2 else CoSellTaskSide.VENDOR
            status = rng.choices(list(CoSellTaskStatus), [40, 25, 30, 5])[0]
            tasks.add(plan=plan_id, title=["Kickoff call", "Technical demo", "Proof of concept", "Quote"][k],
                      owner_side=side, assignee=partner_user[pid] if side is CoSellTaskSide.PARTNER
                      else rng.choice(aes[Region(partner_region[pid])]), due_date=kickoff + timedelta(days=14 * (k + 1)),
                      status=status, completed_at=NOW if status is CoSellTaskStatus.DONE else None,
                      created_at=NOW, updated_at=NOW)
    # Dated USD rates for every currency of the world: O11's and A7's thresholds convert.
    for day, quote, rate in monthly_rates(NOW.date()):
        out["exchange_rate"].add(day=day, base="USD", quote=quote, rate=rate, source="bench", imported_at=NOW)
    return out


async def load(url: str, world: dict[str, Rows], progress: Progress, batch: int = 20_000) -> None:
    if is_postgres_url(url):
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            async with conn.transaction():
                # Without the directory triggers (one counter bump per row would crawl).
                await conn.execute("SET LOCAL session_replication_role = replica")
                await conn.execute("TRUNCATE " + ", ".join(reversed(TABLES)) + ", api_token, cost_budget, "
                                   "outbox_message, audit_log, idempotency_key RESTART IDENTITY CASCADE")
                for name in TABLES:
                    rows = world[name]
                    for start in range(0, len(rows.rows), batch):
                        chunk = rows.rows[start:start + batch]
                        await conn.copy_records_to_table(name, records=chunk, columns=rows.columns)
                        progress.step(len(chunk), name)
                    await conn.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                       f"GREATEST(1, (SELECT COALESCE(MAX(id), 0) FROM {name})))")
                await conn.execute("DELETE FROM directory_change")
                await conn.execute("DELETE FROM directory_version")
                # The maintained row counts (issue 38): their triggers were off too.
                for sql in _recount_statements():
                    await conn.execute(sql)
                await conn.execute(COPY_KEYS_SQL)  # the history's partner, region, type (issue 36 item 2)
            # VACUUM too, not only ANALYZE: the state autovacuum brings a loaded table to
            # (visibility map set), in which a count reads an index alone (issue 38). Without
            # it, and with autovacuum off (as on the bench machine), every count checked
            # each row's visibility in the heap: 2-8x the CPU.
            progress.step(0, "VACUUM ANALYZE")
            await conn.execute("VACUUM (ANALYZE)")
        finally:
            await conn.close()
        return
    import sqlite3

    conn = sqlite3.connect(urlsplit(url).path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        with conn:
            # The account match index (FTS5, migration 2026-12-07T20:30) is rebuilt once at the end,
            # the maintained row counts (2026-12-07T21:30) set once at the end.
            triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                    "AND (name LIKE '%directory%' OR name LIKE 'account_match%' "
                                    "OR name LIKE '%\\_row\\_count\\_%' ESCAPE '\\')").fetchall()
            for name, _ in triggers:
                conn.execute(f"DROP TRIGGER {name}")
            for name in (*reversed(TABLES), "api_token", "cost_budget", "outbox_message", "audit_log", "idempotency_key"):
                conn.execute(f"DELETE FROM {name}")
            for name in TABLES:
                rows = world[name]
                sql = f"INSERT INTO {name} ({', '.join(rows.columns)}) VALUES ({', '.join('?' for _ in rows.columns)})"
                for start in range(0, len(rows.rows), batch):
                    chunk = rows.rows[start:start + batch]
                    conn.executemany(sql, chunk)
                    progress.step(len(chunk), name)
            for _, sql in triggers:
                conn.execute(sql)
            if any(name.startswith("account_match") for name, _ in triggers):
                conn.execute("INSERT INTO account_match (account_match) VALUES ('rebuild')")
            conn.execute("DELETE FROM directory_change")
            conn.execute("DELETE FROM directory_version")
            for sql in _recount_statements():  # the maintained row counts' triggers were dropped
                conn.execute(sql)
            conn.execute(COPY_KEYS_SQL)  # the history's partner, region, type (issue 36 item 2)
        progress.step(0, "ANALYZE")
        conn.execute("ANALYZE")
    finally:
        conn.close()


def _recount_statements() -> list[str]:
    """The maintained row counts (partners/infra/row_counts.py) set from the loaded tables."""
    return [sql for name in sorted(row_counts.TRACKED) for sql in row_counts.recount_sql(name)]


async def counts(url: str) -> dict[str, int]:
    """Rows per generated table (what `run.py` compares to decide whether to reuse)."""
    from partners.infra.db import current_engine

    engine = current_engine()
    result = {}
    for name in ("partner", "account", "opportunity", "deal_registration", "cosell_task"):
        rows = await engine.run_ddl(f"SELECT COUNT(*) AS n FROM {name}")
        result[name] = rows[0]["n"]
    return result


def expected_counts(scale: float) -> dict[str, int]:
    return {"partner": int(10_000 * scale), "account": int(100_000 * scale), "opportunity": int(100_000 * scale),
            "deal_registration": int(300_000 * scale), "cosell_task": int(50_000 * scale) // 4 * 4}


async def generate(url: str, scale: float = 1.0) -> float:
    """Build and load the world into an already migrated database; returns seconds taken."""
    started = time.perf_counter()
    sys.stderr.write(f"generating the world (scale {scale}) …\n")
    world = build(scale)
    total = sum(len(r.rows) for r in world.values())
    sys.stderr.write(f"built {total:,} rows in {time.perf_counter() - started:.1f}s; loading …\n")
    progress = Progress(total)
    await load(url, world, progress)
    progress.close()
    return time.perf_counter() - started


async def migrate(url: str) -> None:
    import os

    os.environ["DATABASE_URL"] = url
    from partners.infra.engines import bind_engine, engine_for, open_database
    from partners.infra.migrate import apply_migrations

    if is_postgres_url(url):
        await ensure_pg_database(url)
    engine = engine_for(url)
    bind_engine(engine)
    await open_database(engine, pool_min=1, pool_max=4)
    await apply_migrations()


async def ensure_pg_database(url: str) -> None:
    import asyncpg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = await asyncpg.connect(parts._replace(path="/postgres").geturl())
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def main_async(args) -> None:
    await migrate(args.database_url)
    seconds = await generate(args.database_url, args.scale)
    print(f"loaded in {seconds:.1f}s: " + ", ".join(f"{k} {v:,}" for k, v in (await counts(args.database_url)).items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--scale", type=float, default=1.0)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
