"""Issue 39, the AWS Partner Central plugin's status job: leases and the next poll on
`aws_opportunity_sync` (partners.infra.leasing), and `aws_review_history`, one row per review
status or stage AWS reported for a shared opportunity, and `aws_invitation`, the AWS referrals
(engagement invitations) and the leads they became."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-07T19:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "AWS Partner Central plugin: status polling leases, review history"

AwsOpportunitySync = type("AwsOpportunitySync", (Table,), {"id": Serial(null=False, primary_key=True,
                                                                        db_column_name="id")},
                          tablename="aws_opportunity_sync")
BASE = {"primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree, "choices": None,
        "db_column_name": None, "secret": False}
SYNC = dict(table_class_name="AwsOpportunitySync", tablename="aws_opportunity_sync", schema=None)
HISTORY = dict(table_class_name="AwsReviewHistory", tablename="aws_review_history", schema=None)

SYNC_COLUMNS = {
    "leased_until": (Timestamptz, {**BASE, "default": None, "null": True}),
    "lease_owner": (Varchar, {**BASE, "length": 64, "default": None, "null": True}),
    "next_poll_at": (Timestamptz, {**BASE, "default": None, "null": True, "index": True}),
}
HISTORY_COLUMNS = {
    "sync": (ForeignKey, {**BASE, "references": AwsOpportunitySync, "on_delete": OnDelete.cascade,
                          "on_update": OnUpdate.cascade, "target_column": None, "null": False, "index": True}),
    "review_status": (Varchar, {**BASE, "length": 32, "default": "", "null": False}),
    "review_comments": (Text, {**BASE, "default": "", "null": False}),
    "aws_stage": (Varchar, {**BASE, "length": 32, "default": "", "null": False}),
    "reported_at": (Timestamptz, {**BASE, "default": None, "null": False}),
}


Stub = {name: type(name, (Table,), {"id": Serial(null=False, primary_key=True, db_column_name="id")},
                   tablename=tablename) for name, tablename in (("Lead", "lead"), ("User", "cosell_user"))}
INVITATION = dict(table_class_name="AwsInvitation", tablename="aws_invitation", schema=None)


def _varchar(length: int, **extra) -> tuple:
    return Varchar, {**BASE, "length": length, "default": "", "null": False, **extra}


def _fk(table: str) -> tuple:
    return ForeignKey, {**BASE, "references": Stub[table], "on_delete": OnDelete.set_null, "on_update": OnUpdate.cascade,
                        "target_column": None, "null": True}


INVITATION_COLUMNS = {
    "invitation_id": _varchar(64, unique=True),
    "catalog": _varchar(16),
    "engagement_title": _varchar(255),
    "payload_type": _varchar(32),
    "sender": _varchar(255),
    "status": (Varchar, {**BASE, "length": 16, "default": "PENDING", "null": False}),
    "invited_at": (Timestamptz, {**BASE, "default": None, "null": True}),
    "expires_at": (Timestamptz, {**BASE, "default": None, "null": True}),
    "lead": _fk("Lead"),
    "rejection_reason": _varchar(80),
    "decided_by": _fk("User"),
    "decided_at": (Timestamptz, {**BASE, "default": None, "null": True}),
    "task_id": _varchar(64),
    "ace_opportunity_id": _varchar(64),
    "last_error": (Text, {**BASE, "default": "", "null": False}),
    "created_at": (Timestamptz, {**BASE, "default": None, "null": False}),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    for name, (column_class, params) in SYNC_COLUMNS.items():
        manager.add_column(**SYNC, column_name=name, db_column_name=name, column_class_name=column_class.__name__,
                           column_class=column_class, params=params)
    manager.add_table(class_name="AwsReviewHistory", tablename="aws_review_history", schema=None, columns=None)
    for name, (column_class, params) in HISTORY_COLUMNS.items():
        manager.add_column(**HISTORY, column_name=name, db_column_name=name, column_class_name=column_class.__name__,
                           column_class=column_class, params=params)
    manager.add_table(class_name="AwsInvitation", tablename="aws_invitation", schema=None, columns=None)
    for name, (column_class, params) in INVITATION_COLUMNS.items():
        manager.add_column(**INVITATION, column_name=name, db_column_name=name,
                           column_class_name=column_class.__name__, column_class=column_class, params=params)
    return manager
