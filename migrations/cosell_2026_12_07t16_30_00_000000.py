"""Issue 34 (people moves): `audit_target`, the objects each audit row names (the audit log
filtered by target); invitations kept when withdrawn or superseded (`withdrawn_at`,
`superseded_at`, so that a withdrawn or expired invitation can be renewed); an agreement's
end (`ended_on`, `end_reason`, `ended_at`, P2). The audit_target triggers and the
withdrawn-invitation backfill are in the next migration (raw steps run before add_table)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T16:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit targets, kept invitations, ended agreements"


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


def _add(manager, class_name: str, tablename: str, name: str, column_class, params: dict) -> None:
    manager.add_column(table_class_name=class_name, tablename=tablename, schema=None, column_name=name,
                       db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                       params=params)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    manager.add_table(class_name="AuditTarget", tablename="audit_target", schema=None, columns=None)
    _add(manager, "AuditTarget", "audit_target", "entry", Integer, _params(default=0, index=True))
    _add(manager, "AuditTarget", "audit_target", "target_type", Varchar, _params(default="", length=60))
    _add(manager, "AuditTarget", "audit_target", "target_key", BigInt, _params(default=0, index=True))

    for name in ("withdrawn_at", "superseded_at"):
        _add(manager, "UserInvitation", "user_invitation", name, Timestamptz, _params(default=None, null=True))

    _add(manager, "PartnerAgreement", "partner_agreement", "ended_on", Date, _params(default=None, null=True))
    _add(manager, "PartnerAgreement", "partner_agreement", "end_reason", Text, _params(default=""))
    _add(manager, "PartnerAgreement", "partner_agreement", "ended_at", Timestamptz, _params(default=None, null=True))
    return manager
