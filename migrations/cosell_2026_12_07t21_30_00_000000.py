"""Maintained exact row counts of account, opportunity and deal_registration (issue 38
item 2, partners/infra/row_counts.py): `totalCount` of an unfiltered, unscoped list in O(1).

PostgreSQL: statement triggers with transition tables append one delta row per INSERT or
DELETE statement (no shared counter row: concurrent writers never wait on each other),
TRUNCATE (cascaded ones included) deletes the table's rows; a background job folds them.
SQLite (writers serialized): row triggers update one row per table.

The triggers are created before the counts are seeded, in the migration's transaction:
CREATE TRIGGER locks each table against writers until commit, so no write falls between
the count and its trigger.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T21:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Maintained row counts (table_row_count) of account, opportunity and deal_registration"

# As they were when this was written (a migration never changes).
TABLES = ("account", "opportunity", "deal_registration")

POSTGRES = (
    "CREATE TABLE IF NOT EXISTS table_row_count (table_name TEXT NOT NULL, n BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS table_row_count_table ON table_row_count (table_name, n)",
    "CREATE OR REPLACE FUNCTION table_row_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO table_row_count (table_name, n) SELECT TG_TABLE_NAME, COUNT(*) FROM inserted_rows "
    "HAVING COUNT(*) > 0; RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION table_row_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO table_row_count (table_name, n) SELECT TG_TABLE_NAME, -COUNT(*) FROM deleted_rows "
    "HAVING COUNT(*) > 0; RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION table_row_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "DELETE FROM table_row_count WHERE table_name = TG_TABLE_NAME; RETURN NULL; END $$",
)
POSTGRES_PER_TABLE = (
    'CREATE TRIGGER "{t}_row_count_insert" AFTER INSERT ON "{t}" REFERENCING NEW TABLE AS inserted_rows '
    "FOR EACH STATEMENT EXECUTE FUNCTION table_row_count_inserted()",
    'CREATE TRIGGER "{t}_row_count_delete" AFTER DELETE ON "{t}" REFERENCING OLD TABLE AS deleted_rows '
    "FOR EACH STATEMENT EXECUTE FUNCTION table_row_count_deleted()",
    'CREATE TRIGGER "{t}_row_count_truncate" AFTER TRUNCATE ON "{t}" '
    "FOR EACH STATEMENT EXECUTE FUNCTION table_row_count_truncated()",
)
SQLITE = (
    "CREATE TABLE IF NOT EXISTS table_row_count (table_name TEXT PRIMARY KEY, n INTEGER NOT NULL)",
)
SQLITE_PER_TABLE = (
    'CREATE TRIGGER IF NOT EXISTS "{t}_row_count_insert" AFTER INSERT ON "{t}" BEGIN '
    "UPDATE table_row_count SET n = n + 1 WHERE table_name = '{t}'; END",
    'CREATE TRIGGER IF NOT EXISTS "{t}_row_count_delete" AFTER DELETE ON "{t}" BEGIN '
    "UPDATE table_row_count SET n = n - 1 WHERE table_name = '{t}'; END",
)
SEED = (
    "DELETE FROM table_row_count WHERE table_name = '{t}'",
    "INSERT INTO table_row_count (table_name, n) SELECT '{t}', COUNT(*) FROM \"{t}\"",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def create():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        postgres = engine.engine_type == "postgres"
        for ddl in POSTGRES if postgres else SQLITE:
            await engine.run_ddl(ddl)
        for table in TABLES:
            for ddl in (*(POSTGRES_PER_TABLE if postgres else SQLITE_PER_TABLE), *SEED):
                await engine.run_ddl(ddl.format(t=table))

    async def drop():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        postgres = engine.engine_type == "postgres"
        for table in TABLES:
            for event in ("insert", "delete", "truncate") if postgres else ("insert", "delete"):
                await engine.run_ddl(f'DROP TRIGGER IF EXISTS "{table}_row_count_{event}"'
                                     + (f' ON "{table}"' if postgres else ""))
        if postgres:
            for function in ("inserted", "deleted", "truncated"):
                await engine.run_ddl(f"DROP FUNCTION IF EXISTS table_row_count_{function}()")
        await engine.run_ddl("DROP TABLE IF EXISTS table_row_count")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
