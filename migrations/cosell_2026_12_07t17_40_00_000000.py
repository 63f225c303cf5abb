"""Issue 36 (channel metrics): `deal_registration_change.first_review_seconds` and
`decision_seconds`, the P4 working time (Mon–Fri 09:00–17:00 UTC) from the (re)submission
that started the clock to the first review step and to the decision, stored when the change
is recorded (`partners.registrations.rules.review_durations`). The next migration fills them
in for the history written before, and adds the indexes the metrics read."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T17:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "P4 working-time durations on deal registration history (channel metrics)"

PARAMS = {"primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree, "choices": None,
          "db_column_name": None, "secret": False, "default": None, "null": True}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    for name in ("first_review_seconds", "decision_seconds"):
        manager.add_column(table_class_name="DealRegistrationChange", tablename="deal_registration_change",
                           column_name=name, db_column_name=name, column_class_name="Integer",
                           column_class=Integer, params=dict(PARAMS), schema=None)
    return manager
