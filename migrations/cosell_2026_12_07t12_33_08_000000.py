"""Issue 33: a lead's history keeps what the lead was linked to at each change (the links an
answer or action made, those a rejection or recall cleared), since the lead itself no longer
carries a former partner's links."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-07T12:33:08:000000"
VERSION = "1.38.0"
DESCRIPTION = "lead history links"


class DealRegistration(Table, tablename="deal_registration", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class Opportunity(Table, tablename="opportunity", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


def _params(references):
    return {
        "references": references,
        "on_delete": OnDelete.set_null,
        "on_update": OnUpdate.cascade,
        "target_column": None,
        "null": True,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    for name, references in (("deal_registration", DealRegistration), ("opportunity", Opportunity)):
        manager.add_column(table_class_name="LeadEvent", tablename="lead_event", column_name=name,
                           db_column_name=name, column_class_name="ForeignKey", column_class=ForeignKey,
                           params=_params(references), schema=None)
    return manager
