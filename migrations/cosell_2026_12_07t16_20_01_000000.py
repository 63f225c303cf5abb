"""Issue 34: one extension request per deadline of a share (unique lead, share, deadline), and
`lead.company_key` for the leads created before (partners.leads.duplicates.company_key)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from partners.leads.duplicates import company_key

ID = "2026-12-07T16:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "lead extension index, company keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def run() -> None:
        from piccolo.engine import engine_finder

        engine = engine_finder()
        await engine.run_ddl("CREATE UNIQUE INDEX lead_extension_one_per_deadline "
                             "ON lead_extension (lead, share_count, deadline)")
        for row in list(await engine.run_ddl("SELECT id, company FROM lead") or []):
            key = company_key(row["company"]).replace("'", "''")
            await engine.run_ddl(f"UPDATE lead SET company_key = '{key}' WHERE id = {int(row['id'])}")

    manager.add_raw(run)
    return manager
