"""Outbox secrets and invitation uids (issue 33, items 6 and 7).

- `outbox_message.secrets`: the values a delivery needs but nobody should read afterwards
  (an invitation's claim token), apart from the payload and scrubbed once the message is
  SENT or DEAD (partners/infra/outbox.py). NULL for messages without secrets.
- `user_invitation.uid`: a random id that names the invitation's email in the outbox
  (dedupe key `invitation:<uid>`); the row id cannot, SQLite reuses the id of a withdrawn
  (deleted) invitation. NULL for invitations made before this migration.
- `webhook_delivery.uid`: a random id the delivery's outbox message carries with the
  delivery's id; deleting an endpoint deletes its deliveries while their messages may be
  queued, and SQLite gives their ids to new deliveries. NULL for older deliveries.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T09:41:17:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox message secrets, scrubbed once settled; invitation and webhook delivery uids"


def _params(**extra) -> dict:
    params = {
        "default": None,
        "null": True,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(extra)
    return params


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    manager.add_column(
        table_class_name="OutboxMessage", tablename="outbox_message", column_name="secrets",
        db_column_name="secrets", column_class_name="JSON", column_class=JSON, params=_params(), schema=None,
    )
    manager.add_column(
        table_class_name="UserInvitation", tablename="user_invitation", column_name="uid",
        db_column_name="uid", column_class_name="Varchar", column_class=Varchar, params=_params(length=32),
        schema=None,
    )
    manager.add_column(
        table_class_name="WebhookDelivery", tablename="webhook_delivery", column_name="uid",
        db_column_name="uid", column_class_name="Varchar", column_class=Varchar, params=_params(length=32),
        schema=None,
    )
    return manager
