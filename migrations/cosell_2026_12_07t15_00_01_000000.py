"""Issue 40: exact amounts with their currency.

- `account.currency`, from the account's country (CLDR's territory currency, else USD);
  `opportunity.currency`, the account's; `deal_registration.currency`, its opportunity's,
  else its account's.
- Amounts (`account.carr`, `opportunity.amount`/`net_arr`/`initial_iacv`,
  `deal_registration.estimated_amount`) become exact decimals rounded to the currency's
  minor unit, half up (partners/money/amounts.py). A float is read by its shortest decimal
  form (0.1 is 0.1), so only values with more decimals than the currency has move; each
  move is logged (logger `cosell.migrations`, the first 50 one by one, then a count).
- Rates of the discount policy and approvals become exact decimals, unrounded.
- `exchange_rate` gets its unique (base, quote, day) index.

PostgreSQL: NUMERIC columns altered in place. SQLite: a DECIMALTEXT column is added,
filled, and replaces the float column (SQLite ≥ 3.35 drops columns).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from partners.money.amounts import round_to_minor, to_decimal
from partners.money.currencies import currency_of_country, minor_units

ID = "2026-12-07T15:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "exact amounts with their currency"

log = logging.getLogger("cosell.migrations")
LOGGED_ONE_BY_ONE = 50

# (table, column, not null) of amounts, in the row's own `currency`.
AMOUNTS = (
    ("account", "carr", True),
    ("opportunity", "amount", False),
    ("opportunity", "net_arr", False),
    ("opportunity", "initial_iacv", False),
    ("deal_registration", "estimated_amount", False),
)
# (table, column) of percentages, exact as they were meant.
RATES = (
    ("discount_policy", "co_sell_rate"),
    ("discount_policy", "services_attach_rate"),
    ("discount_policy", "distributor_margin_rate"),
    ("discount_program_rate", "rate"),
    ("discount_poc_rate", "rate"),
    ("discount_approval", "rate"),
)


def exact_rate(value: float) -> Decimal:
    """A float percentage as meant: its shortest decimal form, without a trailing .0
    (what PostgreSQL's float8 → numeric cast gives), so both engines store the same."""
    d = to_decimal(value)
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


async def _rows(engine, sql: str) -> list[dict]:
    """Rows read in the migration's transaction (`run_ddl` runs there and returns them)."""
    return list(await engine.run_ddl(sql) or [])


async def _add_currencies(engine) -> None:
    for table in ("account", "opportunity", "deal_registration"):
        await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN currency VARCHAR(3) NOT NULL DEFAULT 'USD'")
    for row in await _rows(engine, "SELECT DISTINCT country FROM account"):
        code = currency_of_country(row["country"])
        if code != "USD":
            await engine.run_ddl(f"UPDATE account SET currency = '{code}' WHERE country = '{row['country']}'")
    await engine.run_ddl("UPDATE opportunity SET currency = (SELECT a.currency FROM account a "
                         "WHERE a.id = opportunity.account)")
    await engine.run_ddl("UPDATE deal_registration SET currency = COALESCE("
                         "(SELECT o.currency FROM opportunity o WHERE o.id = deal_registration.opportunity), "
                         "(SELECT a.currency FROM account a WHERE a.id = deal_registration.account), 'USD')")


def _report(moves: list[str]) -> None:
    for line in moves[:LOGGED_ONE_BY_ONE]:
        log.info("amount rounded to its currency's minor unit: %s", line)
    if len(moves) > LOGGED_ONE_BY_ONE:
        log.info("… and %d more amounts rounded to their currency's minor unit", len(moves) - LOGGED_ONE_BY_ONE)


async def _postgres(engine) -> None:
    scale = "CASE currency " + " ".join(
        f"WHEN '{code}' THEN {units}" for code, units in
        (("JPY", 0), ("KRW", 0), ("BHD", 3), ("KWD", 3), ("OMR", 3), ("JOD", 3), ("TND", 3), ("IQD", 3), ("LYD", 3))
    ) + " ELSE 2 END"
    moves = []
    for table, column, _ in AMOUNTS:
        await engine.run_ddl(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE NUMERIC USING {column}::numeric")
        for row in await _rows(engine, f"SELECT id, {column} AS v, currency FROM {table} WHERE {column} IS NOT NULL"):
            exact = round_to_minor(row["v"], row["currency"])
            if exact != row["v"]:
                moves.append(f"{table} {row['id']} {column}: {row['v']} → {exact} {row['currency']}")
        await engine.run_ddl(f"UPDATE {table} SET {column} = round({column}, {scale}) WHERE {column} IS NOT NULL")
    await _check_minor_units(engine)
    if engine.engine_type == "postgres":
        await engine.run_ddl("ALTER TABLE account ALTER COLUMN carr SET DEFAULT 0")
    for table, column in RATES:
        await engine.run_ddl(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE NUMERIC USING {column}::numeric")
    _report(moves)


async def _check_minor_units(engine) -> None:
    """The SQL above knows the currencies with other than 2 decimals that data may hold;
    any other such currency is rounded here, in Python."""
    for table, column, _ in AMOUNTS:
        for row in await _rows(engine, f"SELECT id, {column} AS v, currency FROM {table} WHERE {column} IS NOT NULL"):
            exact = round_to_minor(row["v"], row["currency"]) if minor_units(row["currency"]) != 2 else row["v"]
            if exact != row["v"] or exact.as_tuple().exponent != -minor_units(row["currency"]):
                exact = round_to_minor(row["v"], row["currency"])
                await engine.run_ddl(f"UPDATE {table} SET {column} = {exact} WHERE id = {int(row['id'])}")


async def _sqlite(engine) -> None:
    moves = []
    for table, column, not_null in AMOUNTS:
        rows = await _rows(engine, f"SELECT id, {column} AS v, currency FROM {table}")
        await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN {column}_exact DECIMALTEXT"
                             + (" NOT NULL DEFAULT '0'" if not_null else ""))
        for row in rows:
            if row["v"] is None:
                continue
            exact = round_to_minor(to_decimal(row["v"]), row["currency"])
            if exact != to_decimal(row["v"]):
                moves.append(f"{table} {row['id']} {column}: {row['v']!r} → {exact} {row['currency']}")
            await engine.run_ddl(f"UPDATE {table} SET {column}_exact = '{exact}' WHERE id = {int(row['id'])}")
        await engine.run_ddl(f"ALTER TABLE {table} DROP COLUMN {column}")
        await engine.run_ddl(f"ALTER TABLE {table} RENAME COLUMN {column}_exact TO {column}")
    for table, column in RATES:
        rows = await _rows(engine, f"SELECT id, {column} AS v FROM {table}")
        await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN {column}_exact DECIMALTEXT NOT NULL DEFAULT '0'")
        for row in rows:
            if row["v"] is not None:
                await engine.run_ddl(f"UPDATE {table} SET {column}_exact = '{exact_rate(row['v'])}' "
                                     f"WHERE id = {int(row['id'])}")
        await engine.run_ddl(f"ALTER TABLE {table} DROP COLUMN {column}")
        await engine.run_ddl(f"ALTER TABLE {table} RENAME COLUMN {column}_exact TO {column}")
    _report(moves)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def convert() -> None:
        from piccolo.engine import engine_finder

        engine = engine_finder()
        await engine.run_ddl("CREATE UNIQUE INDEX exchange_rate_pair_day ON exchange_rate (base, quote, day)")
        await _add_currencies(engine)
        await (_sqlite(engine) if engine.engine_type == "sqlite" else _postgres(engine))

    manager.add_raw(convert)
    return manager
