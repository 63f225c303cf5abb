"""Single sign-on (issue 20): a user may be linked to a subject of an identity provider.

`sso_issuer` + `sso_subject` are the `iss` and `sub` claims of that provider's access
tokens (server/sso.py, match "subject"); unique together, so one subject is one user.
Both null for users who sign in with cosell tokens or by email. The unique index comes in
the next migration (Piccolo runs a migration's raw SQL before its column changes).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T17:07:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "users linked to an identity provider's subject (single sign-on)"


def _varchar(length: int) -> dict:
    return {
        "length": length,
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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    for name, length in (("sso_issuer", 500), ("sso_subject", 255)):
        manager.add_column(
            table_class_name="User",
            tablename="cosell_user",
            column_name=name,
            db_column_name=name,
            column_class_name="Varchar",
            column_class=Varchar,
            params=_varchar(length),
            schema=None,
        )
    return manager
