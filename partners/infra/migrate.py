"""Apply and check migrations programmatically (`cosell migrate`, startup checks)."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration

from partners.infra.engines import CosellSQLiteEngine
from partners.infra.piccolo_app import APP_CONFIG


async def apply_migrations() -> list[str]:
    """Apply the pending migrations; returns their ids (empty when up to date). Piccolo's
    own progress lines are kept out of the output (they count every migration as "already
    complete" on an empty database) and shown only when a migration fails."""
    engine = Migration._meta.db
    if isinstance(engine, CosellSQLiteEngine):
        # WAL lets readers work while one writer commits; it persists in the file.
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    pending = await pending_migrations()
    if not pending:
        return []
    progress = io.StringIO()
    with contextlib.redirect_stdout(progress):
        result = await run_forwards(app_name=APP_CONFIG.app_name)
    if not result.success:
        raise RuntimeError(f"Migrations failed: {result.message}\n{progress.getvalue()}")
    return pending


def known_migration_ids() -> list[str]:
    manager = BaseMigrationManager()
    modules = manager.get_migration_modules(APP_CONFIG.resolved_migrations_folder_path)
    return manager.get_migration_ids(modules)


async def pending_migrations() -> list[str]:
    """Migration ids in `migrations/` that the database has not applied."""
    known = known_migration_ids()
    if not await Migration.table_exists():
        return known
    rows = await Migration.select(Migration.name).where(Migration.app_name == APP_CONFIG.app_name)
    applied = {row["name"] for row in rows}
    return [mid for mid in known if mid not in applied]
