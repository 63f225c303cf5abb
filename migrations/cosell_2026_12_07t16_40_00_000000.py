"""Issue 34, email to case (D15): the table `case_message` (one row per email of a case's
thread, unique by Message-ID) and `case_attachment.message` (the email a file came with).
`case_attachment.uploaded_by` was created nullable already (a file from an email has no
uploader). The lower-case email indexes the sender matching uses are the next migration
(piccolo runs raw steps before it creates tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-07T16:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "email to case (D15): case_message"


def _stub(class_name: str, tablename: str) -> type[Table]:
    return type(class_name, (Table,), {"id": Serial(null=False, primary_key=True, db_column_name="id")},
                tablename=tablename)


PartnerCase = _stub("PartnerCase", "partner_case")
CaseMessage = _stub("CaseMessage", "case_message")

BASE = {"primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree, "choices": None,
        "db_column_name": None, "secret": False}


def varchar(length: int, default: str = "", **extra) -> tuple:
    return Varchar, {**BASE, "length": length, "default": default, "null": False, **extra}


def text(default: str = "") -> tuple:
    return Text, {**BASE, "default": default, "null": False}


def timestamp(null: bool = True) -> tuple:
    return Timestamptz, {**BASE, "default": None, "null": null}


def foreign_key(references: type[Table], on_delete: OnDelete, **extra) -> tuple:
    return ForeignKey, {**BASE, "references": references, "on_delete": on_delete, "on_update": OnUpdate.cascade,
                        "target_column": None, "null": True, **extra}


MESSAGE_COLUMNS = {
    "case": foreign_key(PartnerCase, OnDelete.cascade, index=True, null=False),
    "message_id": varchar(255, unique=True),
    "direction": varchar(8, "INBOUND"),
    "from_address": varchar(254),
    "from_name": varchar(200),
    "subject": varchar(300),
    "text": text(),
    "sent_at": timestamp(),
    "received_at": timestamp(null=False),
    "in_reply_to": varchar(255),
    "size": (Integer, {**BASE, "default": 0, "null": False}),
    "internal": (Boolean, {**BASE, "default": False, "null": False}),
    "refused_attachments": text("[]"),
    "problems": text(),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    manager.add_table(class_name="CaseMessage", tablename="case_message", schema=None, columns=None)
    for name, (column_class, params) in MESSAGE_COLUMNS.items():
        manager.add_column(table_class_name="CaseMessage", tablename="case_message", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params=params, schema=None)
    column_class, params = foreign_key(CaseMessage, OnDelete.set_null, index=True)
    manager.add_column(table_class_name="CaseAttachment", tablename="case_attachment", column_name="message",
                       db_column_name="message", column_class_name=column_class.__name__, column_class=column_class,
                       params=params, schema=None)
    return manager
