"""P4 review-due digests: one email per reviewer per business day replaces one per overdue
registration, so `deal_registration.reminded_due_at` goes. (The digest reads a region's
overdue registrations from `deal_registration_review_due`, the review queue's index of
2026-12-07T17:30:00.)"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "P4 review-due digests: drop reminded_due_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    manager.drop_column(
        table_class_name="DealRegistration",
        tablename="deal_registration",
        column_name="reminded_due_at",
        db_column_name="reminded_due_at",
        schema=None,
    )

    return manager
