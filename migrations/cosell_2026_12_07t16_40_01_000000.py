"""Issue 34, email to case (D15): indexes on lower(email) of contacts and users, which the
receiver matches a sender against (case-insensitive) for every message."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T16:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "email to case (D15): sender lookup indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    manager.add_raw("CREATE INDEX IF NOT EXISTS contact_email_lower ON contact (lower(email))")
    manager.add_raw("CREATE INDEX IF NOT EXISTS cosell_user_email_lower ON cosell_user (lower(email))")
    return manager
