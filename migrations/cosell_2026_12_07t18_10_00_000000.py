"""Background jobs at scale (issue 38): partial indexes holding only the rows a job still has
to act on, so a tick reads its due rows from an index that does not grow with history (an
expired registration, a closed return, a lead that moved on or an opportunity handed over
leaves the index). The jobs write the status as a constant (never `status = $1`), which
is what lets PostgreSQL's generic plans and SQLite match these predicates."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T18:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Partial indexes for the background jobs' due rows"

# The statuses as they were when this was written (a migration never changes).
INDEXES = {
    # P6 expiry: approved registrations by expiry.
    "deal_registration_expiry":
        'ON "deal_registration" ("expires_at") WHERE "status" = \'APPROVED\'',
    # P4: returned registrations by reply deadline.
    "deal_registration_return_due":
        'ON "deal_registration" ("reply_due_at") WHERE "status" = \'RETURNED\'',
    # A10: opportunities held over after an account transfer.
    "opportunity_holdover_due":
        'ON "opportunity" ("owner_holdover_until") WHERE "owner_holdover_until" IS NOT NULL',
    # P11: shared leads by accept deadline and reminder, accepted ones by action deadline.
    "lead_accept_due": 'ON "lead" ("accept_due_at") WHERE "status" = \'SHARED\'',
    "lead_action_due": 'ON "lead" ("action_due_at") WHERE "status" = \'ACCEPTED\'',
    "lead_accept_remind": 'ON "lead" ("accept_remind_at") WHERE "status" = \'SHARED\'',
    "lead_action_remind": 'ON "lead" ("action_remind_at") WHERE "status" IN (\'SHARED\', \'ACCEPTED\')',
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.engine import engine_finder

        for name, definition in INDEXES.items():
            await engine_finder().run_ddl(f'CREATE INDEX IF NOT EXISTS "{name}" {definition}')

    async def drop_indexes():
        from piccolo.engine import engine_finder

        for name in INDEXES:
            await engine_finder().run_ddl(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
