"""Background jobs at scale (issue 38), found by EXPLAIN of the jobs' per-row work on the
bench world: ending an approved registration releases the ones it held (`release_held`:
`held_by = $1`), which read every ON_HOLD registration (12,066 on the bench world, 41 ms)
for each registration expired; the review digest reads the reviewers by role and the lead
reminders a partner's users, both by scanning every user."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T18:11:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes for the jobs' per-row reads: held registrations, users by role and partner"

INDEXES = {
    "deal_registration_held_by": 'ON "deal_registration" ("held_by") WHERE "held_by" IS NOT NULL',
    "cosell_user_role": 'ON "cosell_user" ("role")',
    "cosell_user_partner": 'ON "cosell_user" ("partner")',
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
