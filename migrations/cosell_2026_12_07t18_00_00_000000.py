"""P4 review-due digests (issue 38): one email per reviewer per business day replaces one per
overdue registration, so `deal_registration.reminded_due_at` goes; the digest reads a
region's overdue registrations, most overdue first, from a partial index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "P4 review-due digests: drop reminded_due_at, index overdue reviews by region"

# partners.registrations.rules.IN_REVIEW when this was written (a migration never changes).
_IN_REVIEW = "'SUBMITTED', 'PENDING_SALES_REVIEW', 'PENDING_MANAGER_REVIEW'"
INDEX = ('CREATE INDEX IF NOT EXISTS "deal_registration_review_due" '
         f'ON "deal_registration" ("region", "review_due_at", "id") WHERE "status" IN ({_IN_REVIEW})')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    manager.drop_column(
        table_class_name="DealRegistration",
        tablename="deal_registration",
        column_name="reminded_due_at",
        db_column_name="reminded_due_at",
        schema=None,
    )

    async def create_index():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl(INDEX)

    async def drop_index():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl('DROP INDEX IF EXISTS "deal_registration_review_due"')

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
