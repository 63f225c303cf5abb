"""Issue 39, the AWS Partner Central plugin, round 2: `aws_association`, the solutions, AWS
products and Marketplace offers associated with an opportunity's ACE opportunity (one row per
(opportunity, type, identifier): a unique key), its own state so a retry repeats none that is done), and
referrals that become opportunities: `aws_invitation.becomes`, `details` and `opportunity`."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-07T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "AWS Partner Central plugin: associations, referrals as opportunities"

Opportunity = type("Opportunity", (Table,), {"id": Serial(null=False, primary_key=True, db_column_name="id")},
                   tablename="opportunity")
BASE = {"primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree, "choices": None,
        "db_column_name": None, "secret": False}
ASSOCIATION = dict(table_class_name="AwsAssociation", tablename="aws_association", schema=None)
INVITATION = dict(table_class_name="AwsInvitation", tablename="aws_invitation", schema=None)


def _opportunity(on_delete: OnDelete, null: bool, index: bool) -> tuple:
    return ForeignKey, {**BASE, "references": Opportunity, "on_delete": on_delete, "on_update": OnUpdate.cascade,
                        "target_column": None, "null": null, "index": index}


ASSOCIATION_COLUMNS = {
    "opportunity": _opportunity(OnDelete.cascade, False, True),
    "entity_type": (Varchar, {**BASE, "length": 32, "default": "", "null": False}),
    "identifier": (Varchar, {**BASE, "length": 255, "default": "", "null": False}),
    # "<opportunity>:<type>:<identifier>": once per opportunity (a composite index would need
    # a raw statement, which piccolo runs before the table exists).
    "association_key": (Varchar, {**BASE, "length": 320, "default": "", "null": False, "unique": True}),
    "state": (Varchar, {**BASE, "length": 16, "default": "PENDING", "null": False}),
    "last_error": (Text, {**BASE, "default": "", "null": False}),
    "updated_at": (Timestamptz, {**BASE, "default": None, "null": False}),
}
INVITATION_COLUMNS = {
    "becomes": (Varchar, {**BASE, "length": 16, "default": "lead", "null": False}),
    "details": (Text, {**BASE, "default": "", "null": False}),
    "opportunity": _opportunity(OnDelete.set_null, True, False),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    manager.add_table(class_name="AwsAssociation", tablename="aws_association", schema=None, columns=None)
    for name, (column_class, params) in ASSOCIATION_COLUMNS.items():
        manager.add_column(**ASSOCIATION, column_name=name, db_column_name=name,
                           column_class_name=column_class.__name__, column_class=column_class, params=params)
    for name, (column_class, params) in INVITATION_COLUMNS.items():
        manager.add_column(**INVITATION, column_name=name, db_column_name=name,
                           column_class_name=column_class.__name__, column_class=column_class, params=params)
    return manager
