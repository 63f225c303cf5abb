"""Issue 34, the SMB case workflow (D10–D14) and case attachments: new columns of
`partner_case` (origin, type, account, contact, lead, waiting team, 7-day target, Next Steps,
escalation, resolution action, feedback, duplicate of) and the tables `case_history`,
`case_resolution_action`, `customer_admin_contact`, `case_attachment`. The data conversion
(CLOSED → CLOSED_RESOLVED, …) is the next migration (piccolo runs raw steps first)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-07T16:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "case workflow (D10-D14) and case attachments"


def _stub(class_name: str, tablename: str) -> type[Table]:
    return type(class_name, (Table,), {"id": Serial(null=False, primary_key=True, db_column_name="id")},
                tablename=tablename)


Account = _stub("Account", "account")
Contact = _stub("Contact", "contact")
User = _stub("User", "cosell_user")
PartnerCase = _stub("PartnerCase", "partner_case")

BASE = {"primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree, "choices": None,
        "db_column_name": None, "secret": False}


def varchar(length: int, default: str = "", **extra) -> tuple:
    return Varchar, {**BASE, "length": length, "default": default, "null": False, **extra}


def text() -> tuple:
    return Text, {**BASE, "default": "", "null": False}


def timestamp(null: bool = True) -> tuple:
    return Timestamptz, {**BASE, "default": None, "null": null}


def foreign_key(references: type[Table], on_delete: OnDelete = OnDelete.restrict, **extra) -> tuple:
    return ForeignKey, {**BASE, "references": references, "on_delete": on_delete, "on_update": OnUpdate.cascade,
                        "target_column": None, "null": True, **extra}


CASE_COLUMNS = {
    "origin": varchar(16, "PARTNER"),
    "case_type": varchar(24, "GENERAL", index=True),
    "account": foreign_key(Account, index=True),
    "contact": foreign_key(Contact),
    "lead_name": varchar(200),
    "lead_email": varchar(254),
    "waiting_on": varchar(200),
    "target_due_at": timestamp(),
    "contact_attempts_since": timestamp(),
    "next_steps": text(),
    "next_steps_date": (Date, {**BASE, "default": None, "null": True}),
    "escalated_at": timestamp(),
    "resolution_action": varchar(64),
    "feedback": text(),
    "duplicate_of": foreign_key(PartnerCase),
}
NEW_TABLES = {
    ("CaseHistory", "case_history"): {
        "case": foreign_key(PartnerCase, OnDelete.cascade, index=True),
        "event": varchar(32),
        "actor": foreign_key(User),
        "from_status": varchar(24),
        "to_status": varchar(24),
        "from_owner": foreign_key(User),
        "to_owner": foreign_key(User),
        "reason": text(),
        "at": timestamp(null=False),
    },
    ("CaseResolutionAction", "case_resolution_action"): {
        "code": varchar(64, unique=True),
        "label": varchar(100),
        "active": (Boolean, {**BASE, "default": True, "null": False}),
        "created_at": timestamp(null=False),
    },
    ("CustomerAdminContact", "customer_admin_contact"): {
        "account": foreign_key(Account, OnDelete.cascade, unique=True),
        "contact": foreign_key(Contact, OnDelete.cascade),
        "set_by": foreign_key(User),
        "set_at": timestamp(null=False),
    },
    ("CaseAttachment", "case_attachment"): {
        "case": foreign_key(PartnerCase, OnDelete.cascade, index=True),
        "file_name": varchar(200),
        "content_type": varchar(100),
        "size": (Integer, {**BASE, "default": 0, "null": False}),
        "sha256": varchar(64),
        "storage_key": varchar(200, unique=True),
        "internal": (Boolean, {**BASE, "default": False, "null": False}),
        "uploaded_by": foreign_key(User),
        "uploaded_at": timestamp(null=False),
    },
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    for name, (column_class, params) in CASE_COLUMNS.items():
        manager.add_column(table_class_name="PartnerCase", tablename="partner_case", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params=params, schema=None)
    for (class_name, tablename), columns in NEW_TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, (column_class, params) in columns.items():
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=name, column_class_name=column_class.__name__,
                               column_class=column_class, params=params, schema=None)
    return manager
