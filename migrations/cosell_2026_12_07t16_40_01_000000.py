"""Issue 34, email to case (D15): indexes on lower(email) of contacts and users, which the
receiver matches a sender against (case-insensitive) for every message."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T16:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "email to case (D15): sender lookup indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def create_indexes() -> None:
        from piccolo.engine import engine_finder

        engine = engine_finder()
        await engine.run_ddl("CREATE INDEX IF NOT EXISTS contact_email_lower ON contact (lower(email))")
        await engine.run_ddl("CREATE INDEX IF NOT EXISTS cosell_user_email_lower ON cosell_user (lower(email))")

    manager.add_raw(create_indexes)
    return manager
