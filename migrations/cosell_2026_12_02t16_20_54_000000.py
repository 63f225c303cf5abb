"""A region's holiday is listed once (P11 business days, issue 19).

Its own migration: Piccolo runs a migration's raw steps before its new tables, and the
table `region_holiday` comes with the previous one.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T16:20:54:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (region, day) of region holidays"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def create_index():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl(
            'CREATE UNIQUE INDEX IF NOT EXISTS "region_holiday_region_day" ON "region_holiday" ("region", "day")')

    async def drop_index():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl('DROP INDEX IF EXISTS "region_holiday_region_day"')

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
