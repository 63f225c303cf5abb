"""Issue 36 item 2 (channel metrics ≤ 300 ms): the registration's partner, region and type
copied onto its history rows (`deal_registration_change`), so that a page's review changes
are one index range per partner instead of a scan of the period's history joined to the
registrations. The next migration fills them in for the rows already there and adds the
index (piccolo runs a migration's raw steps before its new columns).

A registration's partner, region and type never change after it is created (none of its
writes sets them), so the copy is exact. Every writer fills it: the workflow
(`partners.registrations.records.record`), the import (`partners.transfer.children`, one
UPDATE per batch: `records.copy_registration_keys`), the bench world (`bench.generate`).

Written by hand; both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration partner, region and type on deal registration history (channel metrics)"

PARAMS = {"primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree, "choices": None,
          "db_column_name": None, "secret": False, "default": None, "null": True}
COLUMNS = (("partner", Integer, {}), ("region", Varchar, {"length": 8}),
           ("registration_type", Varchar, {"length": 32}))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    for name, column_class, more in COLUMNS:
        manager.add_column(table_class_name="DealRegistrationChange", tablename="deal_registration_change",
                           column_name=name, db_column_name=name, column_class_name=column_class.__name__,
                           column_class=column_class, params={**PARAMS, **more}, schema=None)
    return manager
