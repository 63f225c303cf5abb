"""Issue 36, the review queue a manager works: an index over the registrations waiting for a
review step (P4), by the end customer's region and the due time of that step, which
`dealRegistrations(filter: {actionableByMe: true})` reads in order for a channel manager's
regions (D1). Its condition spells out the statuses as `partners.registrations.queue`
writes them (literals: SQLite uses a partial index only for the very condition)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T17:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "review queue in due order (issue 36): index by region and review_due_at"

# partners.registrations.rules.IN_REVIEW when this was written (a migration never changes).
_IN_REVIEW = "'SUBMITTED', 'PENDING_SALES_REVIEW', 'PENDING_MANAGER_REVIEW'"
INDEX = ('CREATE INDEX IF NOT EXISTS "deal_registration_review_due" '
         f'ON "deal_registration" ("region", "review_due_at", "id") WHERE "status" IN ({_IN_REVIEW})')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def create_index() -> None:
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl(INDEX)

    async def drop_index() -> None:
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl('DROP INDEX IF EXISTS "deal_registration_review_due"')

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
