"""Issue 42: `outbox_message.traceparent`, the W3C traceparent of the span that enqueued the
message, so that its delivery continues the trace of the request that caused it
(partners/infra/tracing.py, partners/infra/outbox.py). NULL when tracing was off, and for
messages enqueued before this migration."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox message traceparent"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    manager.add_column(
        table_class_name="OutboxMessage", tablename="outbox_message", column_name="traceparent",
        db_column_name="traceparent", column_class_name="Varchar", column_class=Varchar,
        params={
            "length": 64,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
