"""Trusted documents (issue 17): GraphQL documents registered with `cosell documents add`,
shared by every instance."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T17:10:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "trusted documents"

TABLE = dict(table_class_name="TrustedDocument", tablename="trusted_document", schema=None)


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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    manager.add_table(class_name="TrustedDocument", tablename="trusted_document", schema=None, columns=None)
    columns = (
        ("document_id", Varchar, _params(default="", length=128, unique=True)),
        ("sha256", Varchar, _params(default="", length=64)),
        ("body", Text, _params(default="")),
        ("operation_names", Text, _params(default="")),
        ("source", Varchar, _params(default="", length=255)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    )
    for name, column_class, params in columns:
        manager.add_column(**TABLE, column_name=name, db_column_name=name, column_class_name=column_class.__name__,
                           column_class=column_class, params=params)
    return manager
