"""Issue 34, the lead moves: on `lead` the end customer's account, the deal size (exact, with
its currency), the priority, the named person at the partner, archiving, the normalised
company name of the duplicate check and the pending-extension flag; the `lead_extension`
table (a partner's request for more time and its decision). Its indexes and the backfill of
`company_key` are in the next migration (raw steps run before tables are added)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

from partners.money.columns import ExactDecimal

ID = "2026-12-07T16:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "lead moves: account, deal size, priority, partner contact, archive, extensions"


def _ref(tablename: str) -> type[Table]:
    class Ref(Table, tablename=tablename, schema=None):
        id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                    choices=None, db_column_name="id", secret=False)
    Ref.__name__ = "".join(part.title() for part in tablename.split("_"))
    return Ref


Account, User, Lead, Partner = _ref("account"), _ref("cosell_user"), _ref("lead"), _ref("partner")


def _params(**extra):
    params = {
        "null": False,
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


def _fk(references, on_delete=OnDelete.set_null, null=True, index=False):
    return _params(references=references, on_delete=on_delete, on_update=OnUpdate.cascade, target_column=None,
                   null=null, index=index)


LEAD_COLUMNS = (
    ("account", ForeignKey, _fk(Account, index=True)),
    ("deal_size", ExactDecimal, _params(null=True, default=None, digits=None)),
    ("deal_size_currency", Varchar, _params(null=True, default=None, length=3)),
    ("priority", Varchar, _params(default="NORMAL", length=8, index=True)),
    ("partner_contact", ForeignKey, _fk(User)),
    ("archived_at", Timestamptz, _params(null=True, default=None, index=True)),
    ("archived_by", ForeignKey, _fk(User)),
    ("company_key", Varchar, _params(default="", length=255, index=True)),
    ("extension_pending", Boolean, _params(default=False)),
)

EXTENSION_COLUMNS = (
    ("lead", ForeignKey, _fk(Lead, on_delete=OnDelete.cascade, null=False, index=True)),
    ("share_count", Integer, _params(default=0)),
    ("partner", ForeignKey, _fk(Partner, on_delete=OnDelete.restrict, null=False, index=True)),
    ("deadline", Varchar, _params(default="", length=8)),
    ("days", Integer, _params(default=1)),
    ("reason", Text, _params(default="")),
    ("requested_by", ForeignKey, _fk(User)),
    ("requested_at", Timestamptz, _params(default=TimestamptzNow())),
    ("due_at", Timestamptz, _params(default=TimestamptzNow())),
    ("status", Varchar, _params(default="PENDING", length=8, index=True)),
    ("decided_by", ForeignKey, _fk(User)),
    ("decided_at", Timestamptz, _params(null=True, default=None)),
    ("granted_days", Integer, _params(null=True, default=None)),
    ("new_due_at", Timestamptz, _params(null=True, default=None)),
    ("note", Text, _params(default="")),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    for name, column_class, params in LEAD_COLUMNS:
        manager.add_column(table_class_name="Lead", tablename="lead", column_name=name, db_column_name=name,
                           column_class_name=column_class.__name__, column_class=column_class, params=params,
                           schema=None)
    manager.add_table(class_name="LeadExtension", tablename="lead_extension", schema=None, columns=None)
    for name, column_class, params in EXTENSION_COLUMNS:
        manager.add_column(table_class_name="LeadExtension", tablename="lead_extension", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params=params, schema=None)
    return manager
