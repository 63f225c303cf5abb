"""Issue 34: `audit_target` is append-only like `audit_log` (database triggers refuse any
UPDATE or DELETE of a row, whoever sends it; docs/security.md)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-07T16:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit_target append-only"

MESSAGE = "audit_target is append-only"
POSTGRES = [
    f"""CREATE FUNCTION audit_target_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP;
END $$""",
    "CREATE TRIGGER audit_target_append_only BEFORE UPDATE OR DELETE ON audit_target "
    "FOR EACH ROW EXECUTE FUNCTION audit_target_append_only()",
]
SQLITE = [
    f"CREATE TRIGGER audit_target_no_{op.lower()} BEFORE {op} ON audit_target "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {op} refused'); END"
    for op in ("UPDATE", "DELETE")
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def triggers():
        engine = engine_finder()
        for statement in POSTGRES if engine.engine_type == "postgres" else SQLITE:
            await engine.run_ddl(statement)

    manager.add_raw(triggers)
    return manager
