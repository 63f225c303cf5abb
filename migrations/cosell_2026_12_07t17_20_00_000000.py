"""Issue 35, import and export: the external id (source + key) of every imported record."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T17:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "import and export: external ids"

TABLE = dict(table_class_name="ExternalId", tablename="external_id", schema=None)


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


class _ThenUniqueIndex(MigrationManager):
    """Piccolo runs raw SQL before it creates tables: the unique index comes after them."""

    async def run(self, backwards: bool = False):
        await super().run(backwards=backwards)
        if not backwards and not self.preview:
            from piccolo.engine import engine_finder

            await engine_finder().run_ddl(
                'CREATE UNIQUE INDEX IF NOT EXISTS "external_id_entity_source_key" '
                'ON "external_id" ("entity", "source", "key")')


async def forwards():
    manager = _ThenUniqueIndex(migration_id=ID, app_name="cosell", description=DESCRIPTION)
    manager.add_table(class_name="ExternalId", tablename="external_id", schema=None, columns=None)
    columns = (
        ("entity", Varchar, _params(default="", length=32)),
        ("source", Varchar, _params(default="", length=40)),
        ("key", Varchar, _params(default="", length=255)),
        ("internal_id", BigInt, _params(default=0, index=True)),
        ("imported_at", Timestamptz, _params(default=TimestamptzNow())),
    )
    for name, column_class, params in columns:
        manager.add_column(**TABLE, column_name=name, db_column_name=name, column_class_name=column_class.__name__,
                           column_class=column_class, params=params)
    return manager
