"""Piccolo app config: the domain's tables and where their migrations live."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

APP_CONFIG = AppConfig(
    app_name="cosell",
    migrations_folder_path=str(MIGRATIONS_DIR),
    table_classes=table_finder(modules=["partners.tables", "partners.program.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
