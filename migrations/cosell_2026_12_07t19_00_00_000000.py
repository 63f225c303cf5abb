"""Issue 39, the AWS Partner Central plugin (cosell_contrib.aws_partner_central): the table
`aws_opportunity_sync`, where each opportunity shared with AWS stands. Created whether or not
the plugin is configured (an empty table costs nothing; turning the plugin on needs no migration)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-07T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "AWS Partner Central plugin: aws_opportunity_sync"


def _stub(class_name: str, tablename: str) -> type[Table]:
    return type(class_name, (Table,), {"id": Serial(null=False, primary_key=True, db_column_name="id")},
                tablename=tablename)


Opportunity = _stub("Opportunity", "opportunity")
User = _stub("User", "cosell_user")

BASE = {"primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree, "choices": None,
        "db_column_name": None, "secret": False}


def varchar(length: int, default: str = "", **extra) -> tuple:
    return Varchar, {**BASE, "length": length, "default": default, "null": False, **extra}


def foreign_key(references: type[Table], on_delete: OnDelete, **extra) -> tuple:
    return ForeignKey, {**BASE, "references": references, "on_delete": on_delete, "on_update": OnUpdate.cascade,
                        "target_column": None, "null": True, **extra}


COLUMNS = {
    "opportunity": foreign_key(Opportunity, OnDelete.cascade, unique=True, null=False),
    "catalog": varchar(16),
    "state": varchar(24, "SHARE_REQUESTED"),
    "ace_id": varchar(64),
    "review_status": varchar(32),
    "review_comments": (Text, {**BASE, "default": "", "null": False}),
    "aws_stage": varchar(32),
    "engagement_task_id": varchar(64),
    "last_modified": varchar(40),
    "last_synced_at": (Timestamptz, {**BASE, "default": None, "null": True}),
    "last_error": (Text, {**BASE, "default": "", "null": False}),
    "attempts": (Integer, {**BASE, "default": 0, "null": False}),
    "requested_by": foreign_key(User, OnDelete.set_null),
    "requested_at": (Timestamptz, {**BASE, "default": None, "null": False}),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    manager.add_table(class_name="AwsOpportunitySync", tablename="aws_opportunity_sync", schema=None, columns=None)
    for name, (column_class, params) in COLUMNS.items():
        manager.add_column(table_class_name="AwsOpportunitySync", tablename="aws_opportunity_sync", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params=params, schema=None)
    return manager
