"""Single sign-on (issue 20): one identity provider subject is one user.

A unique index on (`sso_issuer`, `sso_subject`) of `cosell_user` (columns added by the
previous migration); rows without a subject (NULLs) never collide.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T17:07:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique identity provider subject per user (single sign-on)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cosell", description=DESCRIPTION)

    async def create_index():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl(
            'CREATE UNIQUE INDEX IF NOT EXISTS "cosell_user_sso_subject" ON "cosell_user" ("sso_issuer", "sso_subject")')

    async def drop_index():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl('DROP INDEX IF EXISTS "cosell_user_sso_subject"')

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
