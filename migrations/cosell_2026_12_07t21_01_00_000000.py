"""Issue 36 item 2 (channel metrics ≤ 300 ms): the history rows written before the previous
migration get their registration's partner, region and type (one UPDATE … FROM, both
engines: SQLite ≥ 3.33), and the index a page's review changes are read from: per partner
by time, covering every column the review statement names (SQLite reads an index alone
only when it holds them all). Then ANALYZE of the table (both engines). PostgreSQL: every
history row was rewritten, so index-only scans read the heap until the next (auto)vacuum.

Written by hand; both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T21:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "backfill of the history's registration keys; index of a partner's review changes"

BACKFILL = ('UPDATE "deal_registration_change" SET "partner" = r."partner", "region" = r."region", '
            '"registration_type" = r."registration_type" FROM "deal_registration" r '
            'WHERE r."id" = "deal_registration_change"."registration" AND "deal_registration_change"."partner" IS NULL')
INDEX = ('deal_registration_change_partner_review',
         'ON "deal_registration_change" ("partner", "changed_at", "event", "first_review_seconds", '
         '"decision_seconds", "region", "registration_type")')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        await engine.run_ddl(BACKFILL)
        await engine.run_ddl(f'CREATE INDEX IF NOT EXISTS "{INDEX[0]}" {INDEX[1]}')
        # The planners' statistics of the new columns and index (without them PostgreSQL
        # estimates a page's partners at a third of the history and scans it all).
        await engine.run_ddl('ANALYZE "deal_registration_change"')

    async def undo():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl(f'DROP INDEX IF EXISTS "{INDEX[0]}"')

    manager.add_raw(run)
    manager.add_raw_backwards(undo)
    return manager
