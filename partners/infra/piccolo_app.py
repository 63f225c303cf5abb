"""Piccolo app config: the domain's tables and where their migrations live."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

# Table modules by name, not by import: the app config sits in infra, below every domain.
TABLE_MODULES = [
    "partners.infra.tables",
    "partners.money.tables",
    "partners.people.tables",
    "partners.accounts.tables",
    "partners.opportunities.tables",
    "partners.plans.tables",
    "partners.registrations.tables",
    "partners.locator.tables",
    "partners.discounts.tables",
    "partners.program.tables",
    "partners.webhooks.tables",
    "partners.documents.tables",
    "partners.business_days.tables",
    "partners.leads.tables",
    "partners.cases.tables",
    "partners.transfer.tables",
    "cosell_contrib.aws_partner_central.tables",  # issue 39, the AWS Partner Central plugin
]

APP_CONFIG = AppConfig(
    app_name="cosell",
    migrations_folder_path=str(MIGRATIONS_DIR),
    table_classes=table_finder(
        modules=TABLE_MODULES,
        exclude_imported=True,
    ),
    migration_dependencies=[],
    commands=[],
)
