"""Issue 36 item 2 (channel metrics ≤ 300 ms): the history rows written before the previous
migration get their registration's partner, region and type (one UPDATE … FROM, both
engines: SQLite ≥ 3.33), and the indexes the review statements read, covering every column
they name (SQLite reads an index alone only when it holds them all): a page's review changes
per partner by time; a whole period's by event and time. They replace the history's
`review_cover` (17:41) and `registration_cover` (20:10), which joined the registrations.
Then ANALYZE of the table (both engines). PostgreSQL: every history row was rewritten, so
index-only scans read the heap until the next (auto)vacuum.

Written by hand; both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T21:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "backfill of the history's registration keys; indexes of the review changes"

BACKFILL = ('UPDATE "deal_registration_change" SET "partner" = r."partner", "region" = r."region", '
            '"registration_type" = r."registration_type" FROM "deal_registration" r '
            'WHERE r."id" = "deal_registration_change"."registration" AND "deal_registration_change"."partner" IS NULL')
INDEXES = (
    # A page's review changes: per partner by time.
    ('deal_registration_change_partner_review',
     'ON "deal_registration_change" ("partner", "changed_at", "event", "first_review_seconds", '
     '"decision_seconds", "region", "registration_type")'),
    # A whole period's (the dashboard's total, months, regions; the union of keys): by event
    # and time, covering, without the registrations. Replaces the two below.
    ('deal_registration_change_period_review',
     'ON "deal_registration_change" ("event", "changed_at", "partner", "region", "registration_type", '
     '"first_review_seconds", "decision_seconds")'),
)
# Read by nothing once the history carries the keys (migrations 2026-12-07T17:41 and 20:10).
REPLACED = (
    ('deal_registration_change_review_cover',
     'ON "deal_registration_change" ("event", "changed_at", "registration", "first_review_seconds", '
     '"decision_seconds")'),
    ('deal_registration_change_registration_cover', 'ON "deal_registration_change" ("registration", "changed_at", '
     '"event", "first_review_seconds", "decision_seconds")'),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        await engine.run_ddl(BACKFILL)
        for name, target in INDEXES:
            await engine.run_ddl(f'CREATE INDEX IF NOT EXISTS "{name}" {target}')
        for name, _ in REPLACED:
            await engine.run_ddl(f'DROP INDEX IF EXISTS "{name}"')
        # The planners' statistics of the new columns and indexes (without them PostgreSQL
        # estimates a page's partners at a third of the history and scans it all).
        await engine.run_ddl('ANALYZE "deal_registration_change"')

    async def undo():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for name, target in REPLACED:
            await engine.run_ddl(f'CREATE INDEX IF NOT EXISTS "{name}" {target}')
        for name, _ in INDEXES:
            await engine.run_ddl(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(run)
    manager.add_raw_backwards(undo)
    return manager
