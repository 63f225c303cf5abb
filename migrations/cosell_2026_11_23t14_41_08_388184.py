from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import DoublePrecision
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T14:41:08:388184"
VERSION = "1.38.0"
DESCRIPTION = "directory_version, directory_change and their triggers: the locator index follows the directory"


# Triggers keep directory_version/directory_change in step with every write to what the
# locator index holds (plugins/builtin/locator_directory.py), whoever writes: the counter
# row is bumped in the writing transaction, so on PostgreSQL concurrent directory writers
# queue on it and versions become visible in order; only the last 10,000 changes are kept.
# Certifications and the other partner columns are read per page, not indexed: not watched.
WATCHED = {
    "partner": "id",
    "partner_region_served": "partner",
    "partner_country_served": "partner",
    "partner_specialization": "partner",
    "partner_language": "partner",
}
PARTNER_COLUMNS = ("name, nickname, partner_type, track, status, country, city, latitude, longitude, "
                   "published, delivered_engagements")
KEEP = 10_000


def _update_of(table: str) -> str:
    return PARTNER_COLUMNS if table == "partner" else "partner, value"


def _sqlite_statements() -> list[str]:
    bump = (
        "INSERT OR IGNORE INTO directory_version (id, version, generation) VALUES (1, 0, random()); "
        "UPDATE directory_version SET version = version + 1 WHERE id = 1; "
        f"DELETE FROM directory_change WHERE version <= (SELECT version FROM directory_version WHERE id = 1) - {KEEP}; "
    )

    def log(expr: str, where: str = "") -> str:
        return (f"INSERT INTO directory_change (version, partner) SELECT version, {expr} "
                f"FROM directory_version WHERE id = 1{where}; ")

    statements = []
    for table, column in WATCHED.items():
        statements += [
            f"CREATE TRIGGER {table}_directory_insert AFTER INSERT ON {table} BEGIN "
            f"{bump}{log(f'NEW.{column}')}END",
            f"CREATE TRIGGER {table}_directory_delete AFTER DELETE ON {table} BEGIN "
            f"{bump}{log(f'OLD.{column}')}END",
            f"CREATE TRIGGER {table}_directory_update AFTER UPDATE OF {_update_of(table)} ON {table} BEGIN "
            f"{bump}{log(f'NEW.{column}')}{log(f'OLD.{column}', f' AND OLD.{column} IS NOT NEW.{column}')}END",
        ]
    return statements


def _postgres_statements() -> list[str]:
    statements = [
        f"""CREATE FUNCTION directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
    new_partner integer;
    old_partner integer;
BEGIN
    IF TG_OP <> 'DELETE' THEN new_partner := (to_jsonb(NEW) ->> TG_ARGV[0])::integer; END IF;
    IF TG_OP <> 'INSERT' THEN old_partner := (to_jsonb(OLD) ->> TG_ARGV[0])::integer; END IF;
    INSERT INTO directory_version (id, version, generation) VALUES (1, 0, random()) ON CONFLICT (id) DO NOTHING;
    UPDATE directory_version SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
    INSERT INTO directory_change (version, partner) SELECT DISTINCT v, p FROM unnest(ARRAY[new_partner, old_partner]) AS p
        WHERE p IS NOT NULL;
    DELETE FROM directory_change WHERE version <= v - {KEEP};
    RETURN NULL;
END $$""",
        """CREATE FUNCTION directory_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO directory_version (id, version, generation) VALUES (1, 0, random())
        ON CONFLICT (id) DO UPDATE SET generation = random();
    RETURN NULL;
END $$""",
    ]
    for table, column in WATCHED.items():
        statements += [
            f"CREATE TRIGGER {table}_directory_change AFTER INSERT OR DELETE OR UPDATE OF {_update_of(table)} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION directory_changed('{column}')",
            f"CREATE TRIGGER {table}_directory_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION directory_truncated()",
        ]
    return statements


async def _run(statements: list[str]) -> None:
    engine = engine_finder()
    for statement in statements:
        await engine.run_ddl(statement)


async def create_triggers() -> None:
    postgres = engine_finder().engine_type == "postgres"
    await _run(_postgres_statements() if postgres else _sqlite_statements())


async def drop_triggers() -> None:
    if engine_finder().engine_type == "postgres":
        statements = [f"DROP TRIGGER IF EXISTS {table}_directory_{kind} ON {table}"
                      for table in WATCHED for kind in ("change", "truncate")]
        statements += ["DROP FUNCTION IF EXISTS directory_changed()", "DROP FUNCTION IF EXISTS directory_truncated()"]
    else:
        statements = [f"DROP TRIGGER IF EXISTS {table}_directory_{kind}"
                      for table in WATCHED for kind in ("insert", "delete", "update")]
    await _run(statements)



async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="cosell", description=DESCRIPTION
    )

    manager.add_table(
        class_name="DirectoryChange",
        tablename="directory_change",
        schema=None,
        columns=None,
    )

    manager.add_table(
        class_name="DirectoryVersion",
        tablename="directory_version",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="DirectoryChange",
        tablename="directory_change",
        column_name="version",
        db_column_name="version",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="DirectoryChange",
        tablename="directory_change",
        column_name="partner",
        db_column_name="partner",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="DirectoryVersion",
        tablename="directory_version",
        column_name="version",
        db_column_name="version",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="DirectoryVersion",
        tablename="directory_version",
        column_name="generation",
        db_column_name="generation",
        column_class_name="DoublePrecision",
        column_class=DoublePrecision,
        params={
            "default": 0.0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    # Raw steps run before the tables are created; trigger bodies resolve tables when they fire.
    manager.add_raw(create_triggers)
    manager.add_raw_backwards(drop_triggers)

    return manager
