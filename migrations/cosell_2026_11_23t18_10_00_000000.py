"""Trigram indexes for matching a registered prospect to an existing account (D1, issue 11).

`registerDeal` looks for the prospect among existing accounts by website domain or name
(`partners.registrations.submit._match_or_create_account`: a case-insensitive substring
prefilter, then exact normalised matching in Python). Without an index that prefilter
reads every account: ~110 ms per registration with 100,000 accounts (bench op 4). On
PostgreSQL, pg_trgm's GIN indexes serve `ILIKE '%…%'`: ~16 ms per registration.

PostgreSQL only: SQLite has no index for substring matches (the scan stays, and is
cheaper there). `CREATE EXTENSION pg_trgm` needs the CREATE privilege on the database
(pg_trgm is a trusted extension); see docs/operations.md.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T18:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "trigram indexes on account website and name (PostgreSQL)"

INDEXES = (
    'CREATE INDEX IF NOT EXISTS "account_website_trgm" ON "account" USING gin ("website" gin_trgm_ops)',
    'CREATE INDEX IF NOT EXISTS "account_name_trgm" ON "account" USING gin ("name" gin_trgm_ops)',
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        await engine.run_ddl("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for ddl in INDEXES:
            await engine.run_ddl(ddl)

    async def drop_indexes():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        for name in ("account_website_trgm", "account_name_trgm"):
            await engine.run_ddl(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
