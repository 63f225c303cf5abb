"""Deal registrations, issue 16: what the partner typed, and the reply deadline of a return.

- `prospect_name`, `prospect_region`: the end customer as the registering partner typed it.
  A prospect may match an existing account (D1: the registration links to it, and that
  account's region decides the reviewers); a partner user is shown what it typed, never the
  matched account's name or region (R9, docs/api.md).
- `reply_due_at`: a RETURNED registration not resubmitted by then is closed by the
  `returned-registrations` job (P4).
- The ON_HOLD / REOPENED history notes named the other partner's registration id; they are
  rewritten to the wording the code now uses (R9: nothing of other partners).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T16:22:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "deal registration: prospect as typed, reply deadline of a return"

HELD_NOTE = "Another registration was approved for the same scope (P5)."
REOPENED_NOTE = "The registration that held this scope ended (P5)."


def _params(**extra) -> dict:
    return {"null": True, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **extra}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    for name, column_class, params in (
        ("prospect_name", Varchar, _params(length=255, default="", null=False)),
        ("prospect_region", Varchar, _params(length=8, default=None)),
        ("reply_due_at", Timestamptz, _params(default=None, index=True)),
    ):
        manager.add_column(
            table_class_name="DealRegistration", tablename="deal_registration", column_name=name,
            db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
            params=params, schema=None,
        )

    async def neutral_notes():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        await engine.run_ddl(
            f"UPDATE deal_registration_change SET note = '{HELD_NOTE}' "
            "WHERE event = 'ON_HOLD' AND note LIKE 'Registration % was approved for the same scope (P5).'")
        await engine.run_ddl(
            f"UPDATE deal_registration_change SET note = '{REOPENED_NOTE}' "
            "WHERE event = 'REOPENED' AND note LIKE 'Registration % no longer holds this scope (P5).'")

    manager.add_raw(neutral_notes)
    return manager
